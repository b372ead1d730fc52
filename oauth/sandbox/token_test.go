package sandbox_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/oauth/dstoken"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

const key = sandbox.DefaultIntegrationKey

func TestTokenClientAuthentication(t *testing.T) {
	tests := []struct {
		name     string
		secret   string
		clientID string // "" = not sent
		basic    *basicAuth
		wantOK   bool
	}{
		{name: "public client_id in body", clientID: key, wantOK: true},
		{name: "public basic empty secret", basic: &basicAuth{key, ""}, wantOK: true},
		{name: "public wrong client_id", clientID: "nope"},
		{name: "public no client identification"},
		{name: "public basic with a secret", basic: &basicAuth{key, "guess"}},
		{name: "confidential basic", secret: "s3cret", basic: &basicAuth{key, "s3cret"}, wantOK: true},
		{name: "confidential basic plus matching client_id", secret: "s3cret", clientID: key, basic: &basicAuth{key, "s3cret"}, wantOK: true},
		{name: "confidential missing basic", secret: "s3cret", clientID: key},
		{name: "confidential wrong secret", secret: "s3cret", basic: &basicAuth{key, "wrong"}},
		{name: "confidential key as secret", secret: "s3cret", basic: &basicAuth{key, key}},
		{name: "confidential wrong key", secret: "s3cret", basic: &basicAuth{"other", "s3cret"}},
		{name: "confidential body client_id mismatch", secret: "s3cret", clientID: "other", basic: &basicAuth{key, "s3cret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, sandbox.Options{AutoAccept: true, Secret: tt.secret})
			v, c := pkce()
			code := login(t, s, "signature", c)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {v}}
			if tt.clientID != "" {
				form.Set("client_id", tt.clientID)
			}
			st, tok, e := postToken(t, s, form, tt.basic)
			if tt.wantOK {
				if st != http.StatusOK || tok.AccessToken == "" {
					t.Fatalf("status %d %+v, want 200", st, e)
				}
				return
			}
			if st != http.StatusBadRequest || e != (errResp{"invalid_grant", "unauthorized_client"}) {
				t.Errorf("got %d %+v, want 400 invalid_grant/unauthorized_client", st, e)
			}
			if got := s.Stats().ExchangeRejected; got != 1 {
				t.Errorf("ExchangeRejected = %d, want 1", got)
			}
		})
	}
}

func TestTokenRequestShape(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true})
	post := func(ctype, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/oauth/token", strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readBody(t, resp)
	}
	form := "grant_type=refresh_token&refresh_token=x&client_id=" + key
	tests := []struct {
		name, ctype, body string
		wantStatus        int
		wantError         string
	}{
		{"json content type", "application/json", `{"grant_type":"refresh_token"}`, 400, "invalid_grant"},
		{"no content type", "", form, 400, "invalid_grant"},
		{"multipart", "multipart/form-data; boundary=x", form, 400, "invalid_grant"},
		{"unsupported grant", "application/x-www-form-urlencoded", "grant_type=password&client_id=" + key, 400, "unsupported_grant_type"},
		{"missing grant", "application/x-www-form-urlencoded", "client_id=" + key, 400, "unsupported_grant_type"},
		{"charset param ok", "application/x-www-form-urlencoded; charset=utf-8", form, 400, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := post(tt.ctype, tt.body)
			var e errResp
			if err := json.Unmarshal([]byte(body), &e); err != nil || st != tt.wantStatus || e.Error != tt.wantError {
				t.Errorf("got %d %q, want %d error=%s", st, body, tt.wantStatus, tt.wantError)
			}
		})
	}
	resp, err := client.Get(s.URL() + "/oauth/token")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /oauth/token: %d, want 405", resp.StatusCode)
	}
}

func TestCodeExchange(t *testing.T) {
	expired := errResp{"invalid_grant", "expired_client_token"}
	tests := []struct {
		name  string
		setup func(s *sandbox.Server) // runs after login, before exchange
		form  func(code, verifier string) url.Values
		want  errResp // zero = success
	}{
		{name: "happy path", form: func(c, v string) url.Values {
			return url.Values{"code": {c}, "code_verifier": {v}, "redirect_uri": {redirectURI}}
		}},
		{name: "expired after 3m", setup: func(s *sandbox.Server) { s.Advance(3 * time.Minute) },
			form: func(c, v string) url.Values { return url.Values{"code": {c}, "code_verifier": {v}} }, want: expired},
		{name: "still valid after 1m59s", setup: func(s *sandbox.Server) { s.Advance(119 * time.Second) },
			form: func(c, v string) url.Values { return url.Values{"code": {c}, "code_verifier": {v}} }},
		{name: "verifier mismatch", form: func(c, v string) url.Values {
			return url.Values{"code": {c}, "code_verifier": {v + "x"}}
		}, want: errResp{"invalid_grant", "invalid_code_verifier"}},
		{name: "verifier missing", form: func(c, v string) url.Values { return url.Values{"code": {c}} }, want: expired},
		{name: "redirect_uri mismatch", form: func(c, v string) url.Values {
			return url.Values{"code": {c}, "code_verifier": {v}, "redirect_uri": {"http://127.0.0.1:8766/callback"}}
		}, want: expired},
		{name: "unknown code", form: func(c, v string) url.Values { return url.Values{"code": {c + "x"}, "code_verifier": {v}} }, want: expired},
		{name: "access token as code", form: func(c, v string) url.Values { return url.Values{"code": {"eyJ0eXAi.AQ.x"}, "code_verifier": {v}} }, want: expired},
		{name: "empty code", form: func(c, v string) url.Values { return url.Values{"code_verifier": {v}} }, want: expired},
		{name: "consent revoked", setup: func(s *sandbox.Server) { s.RevokeConsent() },
			form: func(c, v string) url.Values { return url.Values{"code": {c}, "code_verifier": {v}} }, want: expired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, sandbox.Options{AutoAccept: true})
			v, c := pkce()
			code := login(t, s, "signature extended", c)
			if tt.setup != nil {
				tt.setup(s)
			}
			form := tt.form(code, v)
			form.Set("grant_type", "authorization_code")
			form.Set("client_id", key)
			st, tok, e := postToken(t, s, form, nil)
			if tt.want != (errResp{}) {
				if st != http.StatusBadRequest || e != tt.want {
					t.Errorf("got %d %+v, want 400 %+v", st, e, tt.want)
				}
				if sts := s.Stats(); sts.ExchangeRejected != 1 || sts.Exchanges != 0 {
					t.Errorf("stats %+v", sts)
				}
				return
			}
			if st != http.StatusOK {
				t.Fatalf("got %d %+v, want 200", st, e)
			}
			checkTokenResponse(t, s, tok, "signature extended")
			// Codes are single-use, even with a correct verifier.
			if st, _, e := postToken(t, s, form, nil); st != http.StatusBadRequest || e != expired {
				t.Errorf("second use: %d %+v, want 400 %+v", st, e, expired)
			}
			if sts := s.Stats(); sts.Exchanges != 1 || sts.ExchangeRejected != 1 {
				t.Errorf("stats %+v", sts)
			}
		})
	}
}

func TestConfidentialOptionalPKCE(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true, Secret: "s3cret"})
	basic := &basicAuth{key, "s3cret"}
	code := login(t, s, "signature", "")
	if st, _, e := postToken(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {code}}, basic); st != 200 {
		t.Fatalf("confidential without PKCE: %d %+v", st, e)
	}
	v, c := pkce()
	code = login(t, s, "signature", c)
	if st, _, e := postToken(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {"wrong" + v}}, basic); st != 400 || e.ErrorDescription != "invalid_code_verifier" {
		t.Errorf("confidential with PKCE and wrong verifier: %d %+v", st, e)
	}
}

// checkTokenResponse checks a 200 token response's shape and the tokens' claims.
func checkTokenResponse(t *testing.T, s *sandbox.Server, tok tokenResp, wantScope string) {
	t.Helper()
	if tok.TokenType != "Bearer" || tok.Scope != wantScope {
		t.Errorf("token_type %q scope %q, want Bearer %q", tok.TokenType, tok.Scope, wantScope)
	}
	if n, ok := tok.ExpiresIn.(float64); !ok || n != 28800 {
		t.Errorf("expires_in = %v (%T), want JSON number 28800", tok.ExpiresIn, tok.ExpiresIn)
	}
	at, rt := decode(t, tok.AccessToken), decode(t, tok.RefreshToken)
	if at.Type != dstoken.TypeAccess || rt.Type != dstoken.TypeRefresh {
		t.Errorf("types %v %v, want access refresh", at.Type, rt.Type)
	}
	if d := at.ExpiresAt.Sub(at.IssuedAt); d != 8*time.Hour {
		t.Errorf("access lifetime %v, want 8h", d)
	}
	if now := s.Now(); at.IssuedAt.Before(now.Add(-time.Minute)) || at.IssuedAt.After(now) {
		t.Errorf("issued at %v, server now %v", at.IssuedAt, now)
	}
	user := sandbox.DefaultUser()
	for _, c := range []dstoken.Claims{at, rt} {
		if c.UserID != user.Sub || c.Audience != key || c.AuthorizedParty != key || !slices.Equal(c.AMR, []string{"interactive"}) || c.Site != 1 {
			t.Errorf("claims user %q aud %q azp %q amr %v site %d", c.UserID, c.Audience, c.AuthorizedParty, c.AMR, c.Site)
		}
		if c.SessionID == "" || c.SessionID != at.SessionID {
			t.Error("access and refresh tokens should share one session id")
		}
	}
	var wantIDs []uint32
	for _, sc := range strings.Fields(wantScope) {
		wantIDs = append(wantIDs, dstoken.ScopeIDs[sc])
	}
	if !slices.Equal(at.ScopeIDs, wantIDs) {
		t.Errorf("scope ids %v, want %v", at.ScopeIDs, wantIDs)
	}
}

func TestTokensUnique(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true})
	seen := map[string]bool{}
	for i := 0; i < 5; i++ {
		tok := newSession(t, s, "signature")
		for _, x := range []string{tok.AccessToken, tok.RefreshToken} {
			if seen[x] {
				t.Fatal("token issued twice")
			}
			seen[x] = true
		}
	}
	a, b := decode(t, newSession(t, s, "signature").AccessToken), decode(t, newSession(t, s, "signature").AccessToken)
	if a.SessionID == b.SessionID {
		t.Error("two logins share a session id")
	}
}

func TestUserInfo(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true})
	tok := newSession(t, s, "signature")

	st, body := userinfo(t, s, tok.AccessToken)
	if st != http.StatusOK {
		t.Fatalf("userinfo: %d %s", st, body)
	}
	var u sandbox.User
	var raw map[string]any
	if err := json.Unmarshal([]byte(body), &u); err != nil || json.Unmarshal([]byte(body), &raw) != nil {
		t.Fatalf("userinfo JSON: %v", err)
	}
	for _, k := range []string{"sub", "name", "given_name", "family_name", "created", "email", "accounts"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("userinfo lacks %q", k)
		}
	}
	defaults := 0
	for _, a := range u.Accounts {
		if a.IsDefault {
			defaults++
		}
		if a.AccountID == "" || a.AccountName == "" || a.BaseURI != "https://demo.docusign.net" {
			t.Errorf("account %+v", a)
		}
	}
	if len(u.Accounts) != 2 || defaults != 1 || u.Sub != decode(t, tok.AccessToken).UserID {
		t.Errorf("user %+v: want 2 accounts, one default, sub = token user", u)
	}

	for _, tc := range []struct{ name, bearer string }{
		{"no header", ""},
		{"unknown token", tok.AccessToken + "x"},
		{"refresh token as bearer", tok.RefreshToken},
	} {
		st, body := userinfo(t, s, tc.bearer)
		checkUserInfoRejected(t, tc.name, st, body)
	}

	s.Advance(8*time.Hour - time.Second)
	if st, _ := userinfo(t, s, tok.AccessToken); st != http.StatusOK {
		t.Errorf("1s before expiry: %d, want 200", st)
	}
	s.Advance(time.Second)
	st, body = userinfo(t, s, tok.AccessToken)
	checkUserInfoRejected(t, "expired", st, body)
	if got := s.Stats().UserInfo; got != 6 {
		t.Errorf("Stats.UserInfo = %d, want 6", got)
	}
}

func checkUserInfoRejected(t *testing.T, name string, status int, body string) {
	t.Helper()
	var e struct {
		Error       string `json:"error"`
		ReferenceID string `json:"reference_id"`
	}
	if status != http.StatusUnauthorized || json.Unmarshal([]byte(body), &e) != nil ||
		e.Error != "internal_server_error" || e.ReferenceID == "" {
		t.Errorf("%s: got %d %q, want 401 internal_server_error with reference_id", name, status, body)
	}
}

func TestUserInfoCustomUser(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true, User: sandbox.User{Name: "Ada Lovelace", Email: "ada@example.com"}})
	st, body := userinfo(t, s, newSession(t, s, "signature").AccessToken)
	if st != 200 || !strings.Contains(body, `"name":"Ada Lovelace"`) || !strings.Contains(body, `"sub":"`+sandbox.DefaultUser().Sub) {
		t.Errorf("custom user: %d, name/defaults not applied", st)
	}
}

func TestConcurrentRefreshOneWins(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true})
	rt := newSession(t, s, "signature extended").RefreshToken
	const n = 20
	var wg sync.WaitGroup
	statuses := make(chan int, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest(http.MethodPost, s.URL()+"/oauth/token", strings.NewReader(url.Values{
				"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {key}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := client.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	close(statuses)
	ok, rejected := 0, 0
	for st := range statuses {
		switch st {
		case 200:
			ok++
		case 400:
			rejected++
		default:
			t.Errorf("unexpected status %d", st)
		}
	}
	if ok != 1 || rejected != n-1 {
		t.Errorf("%d succeeded, %d rejected; want exactly 1 and %d", ok, rejected, n-1)
	}
	if sts := s.Stats(); sts.Refreshes != 1 || sts.RefreshRejected != n-1 {
		t.Errorf("stats %+v", sts)
	}
}
