package oauth_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

// TestRefreshErrorClasses injects each failure a user can meet into the
// token endpoint and checks the class, the message, and that the stored
// session still works afterwards unless the server said it is dead.
func TestRefreshErrorClasses(t *testing.T) {
	tests := []struct {
		name     string
		fault    sandbox.Fault
		kind     oauth.Kind
		inMsg    string
		wantCode string
	}{
		{"503", sandbox.ServerErrorFault(503), oauth.KindTransient, "HTTP 503", "temporarily_unavailable"},
		{"500 json", sandbox.Fault{Status: 500, ContentType: "application/json", Body: `{"error":"internal_server_error","reference_id":"r-1"}`}, oauth.KindTransient, "HTTP 500", "internal_server_error"},
		{"429", sandbox.Fault{Status: 429, ContentType: "text/plain", Body: "Too Many Requests"}, oauth.KindTransient, "HTTP 429", ""},
		{"html page", sandbox.HTMLFault(200), oauth.KindTransient, "HTML page", ""},
		{"html 502", sandbox.HTMLFault(502), oauth.KindTransient, "HTML page", ""},
		{"malformed json", sandbox.MalformedJSONFault(), oauth.KindTransient, "not a valid response", ""},
		{"dropped connection", sandbox.Fault{Drop: true}, oauth.KindTransient, "could not reach", ""},
		{"timeout", sandbox.Fault{Delay: 3 * time.Second}, oauth.KindTransient, "no answer before the timeout", ""},
		{"unauthorized_client", sandbox.Fault{Status: 400, ContentType: "application/json", Body: `{"error":"invalid_grant","error_description":"unauthorized_client"}`}, oauth.KindMisconfigured, "integration key", "invalid_grant"},
		{"invalid_client", sandbox.Fault{Status: 401, ContentType: "application/json", Body: `{"error":"invalid_client"}`}, oauth.KindMisconfigured, "client secret", "invalid_client"},
		{"catch-all keeps fields", sandbox.Fault{Status: 400, ContentType: "application/json", Body: `{"error":"invalid_request","error_description":"odd request"}`}, oauth.KindOther, "odd request", "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{autoAccept: true, mutate: func(c *oauth.Config) { c.HTTPTimeout = time.Second }})
			s := f.mustLogin(t)
			tt.fault.Path = "/oauth/token"
			f.srv.InjectFault(tt.fault, 1)
			_, err := f.cl.Refresh(context.Background(), s)
			oe := wantKind(t, err, tt.kind)
			if !strings.Contains(err.Error(), tt.inMsg) || oe.Code != tt.wantCode {
				t.Errorf("got %q (code %q), want %q / %q", err.Error(), oe.Code, tt.inMsg, tt.wantCode)
			}
			if strings.Contains(err.Error(), "DocuSign") {
				t.Errorf("a message for a custom server names DocuSign: %v", err)
			}
			if oauth.IsTransient(err) != (tt.kind == oauth.KindTransient) {
				t.Errorf("transient=%v for %v", oauth.IsTransient(err), tt.kind)
			}
			if !f.srv.RefreshTokenValid(s.RefreshToken) {
				t.Fatal("a failed refresh consumed the refresh token")
			}
			if _, err := f.cl.Refresh(context.Background(), s); err != nil {
				t.Fatalf("the session did not survive the failure: %v", err)
			}
		})
	}
}

func TestServerDown(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	s := f.mustLogin(t)
	f.srv.Close()
	_, err := f.cl.Refresh(context.Background(), s)
	wantKind(t, err, oauth.KindTransient)
	// A fresh dial is refused; a pooled keep-alive connection is dropped.
	if msg := err.Error(); !strings.Contains(msg, "could not reach the account server ("+f.srv.URL()+")") ||
		!strings.Contains(msg, "connection refused") && !strings.Contains(msg, "dropped") {
		t.Errorf("message: %v", err)
	}
	_, err = f.cl.UserInfo(context.Background(), s.AccessToken)
	wantKind(t, err, oauth.KindTransient)
}

func TestWrongClientSecretIsMisconfigured(t *testing.T) {
	f := newFixture(t, fixtureOpt{secret: "right-secret", autoAccept: true, mutate: func(c *oauth.Config) { c.ClientSecret = "wrong-secret" }})
	_, _, err := f.login(t, "accept")
	wantKind(t, err, oauth.KindMisconfigured)
}

func TestRevokedConsentIsRelogin(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	s := f.mustLogin(t)
	f.srv.RevokeConsent()
	_, err := f.cl.Refresh(context.Background(), s)
	wantKind(t, err, oauth.KindRelogin)
	// Access tokens live on after revocation, as at DocuSign.
	if _, err := f.cl.UserInfo(context.Background(), s.AccessToken); err != nil {
		t.Errorf("userinfo after revoke: %v", err)
	}
}

func TestUserInfoForbidden(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	s := f.mustLogin(t)
	f.srv.InjectFault(sandbox.Fault{Path: "/oauth/userinfo", Status: 403, ContentType: "application/json",
		Body: `{"error":"insufficient_scope","error_description":"openid needed"}`}, 1)
	_, err := f.cl.UserInfo(context.Background(), s.AccessToken)
	oe := wantKind(t, err, oauth.KindOther)
	if oe.Code != "insufficient_scope" || !strings.Contains(err.Error(), "refused to show the user and accounts") ||
		!strings.Contains(err.Error(), "insufficient_scope: openid needed") {
		t.Errorf("got %v", err)
	}
}

func TestUserInfoExpiredToken(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	s := f.mustLogin(t)
	f.srv.Advance(9 * time.Hour)
	_, err := f.cl.UserInfo(context.Background(), s.AccessToken)
	oe := wantKind(t, err, oauth.KindOther)
	if oe.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "did not accept the access token") {
		t.Errorf("got %v", err)
	}
}

// TestNoSecretInAnyError collects the errors of every failure path that
// carries a secret in its request, including a server that echoes the
// refresh token back, and checks no secret shows in any rendering of them.
func TestNoSecretInAnyError(t *testing.T) {
	const secret = "client-secret-value-123"
	f := newFixture(t, fixtureOpt{secret: secret, autoAccept: true, mutate: func(c *oauth.Config) { c.HTTPTimeout = time.Second }})
	s := f.mustLogin(t)
	secrets := []string{secret, s.AccessToken, s.RefreshToken}
	var errs []error
	collect := func(_ *oauth.Session, err error) {
		if err == nil {
			t.Fatal("expected a failure")
		}
		errs = append(errs, err)
	}
	echo := fmt.Sprintf(`{"error":"invalid_grant","error_description":"bad token %s / %s"}`, s.RefreshToken, secret)
	for _, fault := range []sandbox.Fault{
		{Status: 400, ContentType: "application/json", Body: echo},
		{Status: 500, ContentType: "text/plain", Body: s.RefreshToken},
		{Status: 200, ContentType: "text/html", Body: "<p>" + s.RefreshToken + "</p>"},
		{Status: 200, ContentType: "application/json", Body: `{"access_token":` + s.AccessToken},
		{Drop: true},
		{Delay: 2 * time.Second},
	} {
		fault.Path = "/oauth/token"
		f.srv.InjectFault(fault, 1)
		collect(f.cl.Refresh(context.Background(), s))
	}
	f.srv.InjectFault(sandbox.Fault{Path: "/oauth/userinfo", Status: 401, ContentType: "application/json",
		Body: `{"error":"invalid_token","error_description":"` + s.AccessToken + `"}`}, 1)
	_, err := f.cl.UserInfo(context.Background(), s.AccessToken)
	collect(nil, err)
	req, _ := f.cl.NewAuthRequest(oauth.RedirectURI(f.cfg.Ports[0]))
	code := f.codeFor(t, req)
	secrets = append(secrets, code)
	f.srv.InjectFault(sandbox.Fault{Path: "/oauth/token", Status: 400, ContentType: "application/json",
		Body: `{"error":"invalid_grant","error_description":"code ` + code + `"}`}, 1)
	collect(f.cl.Exchange(context.Background(), req, code))
	basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(f.cfg.IntegrationKey) + ":" + url.QueryEscape(secret)))
	secrets = append(secrets, basic)
	for _, fault := range []sandbox.Fault{
		{Path: "/oauth/token", Status: 400, ContentType: "application/json",
			Body: `{"error":"invalid_request","error_description":"bad header Authorization: Basic ` + basic + `"}`},
		{Path: "/oauth/token", Status: 400, ContentType: "application/json",
			Body: `{"error":"invalid_grant","error_description":"` + strings.Repeat("z", 150) + " " + s.RefreshToken + `"}`},
	} {
		f.srv.InjectFault(fault, 1)
		collect(f.cl.Refresh(context.Background(), s))
	}
	f.srv.InjectFault(sandbox.Fault{Path: "/oauth/userinfo", Status: 401, ContentType: "application/json",
		Body: `{"error":"invalid_token","error_description":"` + strings.Repeat("y", 150) + " Bearer " + s.AccessToken + `"}`}, 1)
	_, err = f.cl.UserInfo(context.Background(), s.AccessToken)
	collect(nil, err)
	dead := s.Clone()
	f.srv.RevokeConsent()
	collect(f.cl.Refresh(context.Background(), dead))

	for _, err := range errs {
		out := fmtErr(err)
		for _, sec := range secrets {
			// Not even a 12-character piece of a secret may show.
			for i := 0; i+12 <= len(sec); i += 6 {
				if strings.Contains(out, sec[i:i+12]) {
					t.Fatalf("a piece of a secret leaked in %q", err.Error())
				}
			}
		}
	}
	if len(errs) != 12 {
		t.Fatalf("collected %d errors", len(errs))
	}
}

// TestHostileServerText: control characters, escape sequences and bidi
// controls from the token endpoint and userinfo never reach a message or a
// UserInfo field, and a 1 MiB description does not become a 1 MiB message.
func TestHostileServerText(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	s := f.mustLogin(t)
	hostile := `\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202Eevil\r\nline`
	for _, body := range []string{
		`{"error":"invalid_request` + hostile + `","error_description":"` + hostile + `"}`,
		`{"error":"invalid_request","error_description":"` + strings.Repeat("d", 1<<20-100) + `"}`,
	} {
		f.srv.InjectFault(sandbox.Fault{Path: "/oauth/token", Status: 400, ContentType: "application/json", Body: body}, 1)
		_, err := f.cl.Refresh(context.Background(), s)
		msg := fmtErr(err)
		if strings.ContainsAny(msg, "\x1b\x07\r\n\u009b\u202e") || len(err.Error()) > 1000 {
			t.Fatalf("message carries hostile text (%d bytes): %q", len(err.Error()), err.Error()[:min(len(err.Error()), 200)])
		}
	}
	f.srv.InjectFault(sandbox.Fault{Path: "/oauth/userinfo", Status: 200, ContentType: "application/json",
		Body: `{"sub":"4799e5e9-1559-4915-9862-cf4b3a3b2c1a","name":"Eve` + hostile + `","email":"e\u202Eve@example.com",
		"accounts":[{"account_id":"a1","account_name":"Acme\nInc\u001b[0m","is_default":true,"base_uri":"https://demo.docusign.net"}]}`}, 1)
	u, err := f.cl.UserInfo(context.Background(), s.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Eveevil  line" {
		t.Errorf("name %q", u.Name)
	}
	if u.Email != "eve@example.com" || u.Accounts[0].AccountName != "Acme Inc" {
		t.Errorf("email %q, account %q", u.Email, u.Accounts[0].AccountName)
	}
}
