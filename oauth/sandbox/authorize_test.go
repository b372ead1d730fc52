package sandbox_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/oauth/dstoken"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

func TestAuthorizeAutoAccept(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true})
	_, challenge := pkce()
	for _, state := range []string{"plain", "a b+c&d=e/é?%", ""} {
		t.Run("state="+state, func(t *testing.T) {
			resp := get(t, authURL(s, authQuery(challenge, "signature extended", state, nil)))
			u, q := location(t, resp)
			if got := u.Scheme + "://" + u.Host + u.Path; got != redirectURI {
				t.Errorf("redirected to %s, want %s", got, redirectURI)
			}
			if q.Get("code") == "" {
				t.Fatal("no code")
			}
			if state == "" {
				if q.Has("state") {
					t.Error("empty state should be omitted")
				}
			} else if q.Get("state") != state {
				t.Errorf("state = %q, want %q", q.Get("state"), state)
			}
			c := decode(t, q.Get("code"))
			if c.Type != dstoken.TypeCode || c.ExpiresAt.Sub(c.IssuedAt) != 2*time.Minute {
				t.Errorf("code claims: type %v lifetime %v, want code, 2m", c.Type, c.ExpiresAt.Sub(c.IssuedAt))
			}
		})
	}
	if st := s.Stats(); st.Authorize != 3 || st.ConsentAccepted != 3 || st.ConsentShown != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestAuthorizeErrors(t *testing.T) {
	_, challenge := pkce()
	tests := []struct {
		name      string
		secret    string
		over      map[string]string
		wantPage  string // HTML 400, no redirect
		wantError string // redirect with error
	}{
		{name: "unknown client", over: map[string]string{"client_id": "11111111-2222-3333-4444-555555555555"}, wantPage: "not registered"},
		{name: "missing client", over: map[string]string{"client_id": ""}, wantPage: "not registered"},
		{name: "unregistered redirect port", over: map[string]string{"redirect_uri": "http://127.0.0.1:9999/callback"}, wantPage: "The redirect URI is not registered properly with DocuSign"},
		{name: "redirect trailing slash", over: map[string]string{"redirect_uri": redirectURI + "/"}, wantPage: "not registered properly"},
		{name: "redirect localhost alias", over: map[string]string{"redirect_uri": "http://localhost:8765/callback"}, wantPage: "not registered properly"},
		{name: "missing redirect", over: map[string]string{"redirect_uri": ""}, wantPage: "not registered properly"},
		{name: "public without PKCE", over: map[string]string{"code_challenge": "", "code_challenge_method": ""}, wantError: "invalid_request"},
		{name: "plain method", over: map[string]string{"code_challenge_method": "plain"}, wantError: "invalid_request"},
		{name: "missing method", over: map[string]string{"code_challenge_method": ""}, wantError: "invalid_request"},
		{name: "malformed challenge", over: map[string]string{"code_challenge": "short"}, wantError: "invalid_request"},
		{name: "token response type", over: map[string]string{"response_type": "token"}, wantError: "unsupported_response_type"},
		{name: "missing response type", over: map[string]string{"response_type": ""}, wantError: "unsupported_response_type"},
		{name: "empty scope", over: map[string]string{"scope": ""}, wantError: "invalid_scope"},
		{name: "confidential without PKCE ok", secret: "s3cret", over: map[string]string{"code_challenge": "", "code_challenge_method": ""}},
		{name: "confidential with plain refused", secret: "s3cret", over: map[string]string{"code_challenge_method": "plain"}, wantError: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, sandbox.Options{AutoAccept: true, Secret: tt.secret})
			resp := get(t, authURL(s, authQuery(challenge, "signature", "xyz", tt.over)))
			if tt.wantPage != "" {
				body := readBody(t, resp)
				if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
					t.Fatalf("status %d Location %q, want 400 without redirect", resp.StatusCode, resp.Header.Get("Location"))
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, tt.wantPage) {
					t.Errorf("page (%s) lacks %q", resp.Header.Get("Content-Type"), tt.wantPage)
				}
				return
			}
			u, q := location(t, resp)
			if !strings.HasPrefix(u.String(), redirectURI+"?") {
				t.Errorf("redirect target %s://%s%s", u.Scheme, u.Host, u.Path)
			}
			if q.Get("error") != tt.wantError {
				t.Errorf("error = %q, want %q", q.Get("error"), tt.wantError)
			}
			if tt.wantError != "" && (q.Get("error_message") == "" || q.Get("state") != "xyz" || q.Has("code")) {
				t.Errorf("error redirect query %v: want error_message, state=xyz and no code", q)
			}
			if tt.wantError == "" && q.Get("code") == "" {
				t.Error("want a code")
			}
		})
	}
}

func TestAuthorizeScopeEncodings(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true})
	for _, sep := range []string{"%20", "+"} {
		t.Run(sep, func(t *testing.T) {
			v, c := pkce()
			q := authQuery(c, "SCOPE", "st", nil)
			raw := s.URL() + "/oauth/auth?" + strings.Replace(q.Encode(), "SCOPE", "signature"+sep+"extended", 1)
			_, rq := location(t, get(t, raw))
			tok := exchange(t, s, rq.Get("code"), v)
			if tok.Scope != "signature extended" {
				t.Errorf("scope = %q, want %q", tok.Scope, "signature extended")
			}
		})
	}
}

var requestIDPattern = regexp.MustCompile(`name="request" value="([0-9a-f]+)"`)

// showConsent renders the consent page and returns the body and request id.
func showConsent(t *testing.T, s *sandbox.Server, challenge, state string) (string, string) {
	t.Helper()
	resp := get(t, authURL(s, authQuery(challenge, "signature extended", state, map[string]string{"prompt": "login"})))
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("consent page: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	m := requestIDPattern.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("consent page has no request id")
	}
	return body, m[1]
}

func postConsent(t *testing.T, s *sandbox.Server, form url.Values, origin string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/oauth/consent", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST /oauth/consent: %v", err)
	}
	return resp
}

func TestConsentPage(t *testing.T) {
	s := newServer(t, sandbox.Options{})
	_, challenge := pkce()
	body, _ := showConsent(t, s, challenge, "st")
	for _, want := range []string{"Token Desk", sandbox.DefaultIntegrationKey, "signature", "extended", "30 days",
		`action="/oauth/consent"`, `value="accept"`, `value="decline"`, "Sandy Box"} {
		if !strings.Contains(body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<link", "src=", "url(", "//fonts", "https://"} {
		if strings.Contains(body, bad) {
			t.Errorf("consent page has external/active content %q", bad)
		}
	}
	if st := s.Stats(); st.ConsentShown != 1 || st.ConsentAccepted != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestConsentPageShortLifetimes: demo lifetimes read as minutes, not as
// "0.0 days".
func TestConsentPageShortLifetimes(t *testing.T) {
	s := newServer(t, sandbox.Options{RefreshTTL: 10 * time.Minute, AccessTTL: 2 * time.Minute})
	_, challenge := pkce()
	body, _ := showConsent(t, s, challenge, "st")
	if !strings.Contains(body, "by another 10 minutes") || strings.Contains(body, "0.0 days") {
		t.Errorf("consent page does not say 10 minutes:\n%s", body)
	}
}

// TestAuthorizeEnabledScopes: scopes not enabled for the key are left out
// of the grant, or refused with invalid_scope when so configured.
func TestAuthorizeEnabledScopes(t *testing.T) {
	enabled := []string{"signature", "extended"}
	s := newServer(t, sandbox.Options{AutoAccept: true, EnabledScopes: enabled})
	v, c := pkce()
	_, rq := location(t, get(t, authURL(s, authQuery(c, "signature extended bogus", "st", nil))))
	if tok := exchange(t, s, rq.Get("code"), v); tok.Scope != "signature extended" {
		t.Errorf("granted %q, want %q", tok.Scope, "signature extended")
	}
	s = newServer(t, sandbox.Options{AutoAccept: true, EnabledScopes: enabled, RejectUnknownScopes: true})
	_, rq = location(t, get(t, authURL(s, authQuery(c, "signature extended bogus", "st", nil))))
	if rq.Get("error") != "invalid_scope" || !strings.Contains(rq.Get("error_message"), "bogus") || rq.Get("code") != "" {
		t.Errorf("redirect %v, want invalid_scope naming bogus", rq)
	}
}

func TestConsentAcceptAndDecline(t *testing.T) {
	s := newServer(t, sandbox.Options{})
	verifier, challenge := pkce()

	t.Run("accept", func(t *testing.T) {
		_, id := showConsent(t, s, challenge, "s1")
		resp := postConsent(t, s, url.Values{"request": {id}, "decision": {"accept"}}, s.URL())
		_, q := location(t, resp)
		if q.Get("state") != "s1" || q.Get("code") == "" {
			t.Fatalf("accept redirect: state %q, code present %v", q.Get("state"), q.Get("code") != "")
		}
		if tok := exchange(t, s, q.Get("code"), verifier); tok.AccessToken == "" {
			t.Error("no access token")
		}
		// The request id is single-use.
		resp = postConsent(t, s, url.Values{"request": {id}, "decision": {"accept"}}, "")
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("reused request id: status %d", resp.StatusCode)
		}
		resp.Body.Close()
	})

	t.Run("decline", func(t *testing.T) {
		_, id := showConsent(t, s, challenge, "x y")
		resp := postConsent(t, s, url.Values{"request": {id}, "decision": {"decline"}}, "")
		resp.Body.Close()
		want := redirectURI + "?error=access_denied&error_message=The%20user%20did%20not%20consent%20to%20connecting%20the%20application.&state=x%20y"
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
			t.Errorf("decline: %d %q\nwant 302 %q", resp.StatusCode, resp.Header.Get("Location"), want)
		}
	})

	t.Run("refused", func(t *testing.T) {
		_, id := showConsent(t, s, challenge, "s3")
		for _, tc := range []struct {
			name   string
			form   url.Values
			origin string
			status int
		}{
			{"cross-site origin", url.Values{"request": {id}, "decision": {"accept"}}, "http://evil.example", http.StatusForbidden},
			{"other loopback port", url.Values{"request": {id}, "decision": {"accept"}}, "http://127.0.0.1:1", http.StatusForbidden},
			{"unknown id", url.Values{"request": {"deadbeef"}, "decision": {"accept"}}, "", http.StatusBadRequest},
			{"bad decision", url.Values{"request": {id}, "decision": {"maybe"}}, "", http.StatusBadRequest},
		} {
			resp := postConsent(t, s, tc.form, tc.origin)
			resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get("Location") != "" {
				t.Errorf("%s: status %d, want %d without redirect", tc.name, resp.StatusCode, tc.status)
			}
		}
		// None of the refusals used up the request.
		_, q := location(t, postConsent(t, s, url.Values{"request": {id}, "decision": {"accept"}}, ""))
		if q.Get("code") == "" {
			t.Error("valid answer after refusals got no code")
		}
	})

	if st := s.Stats(); st.ConsentShown != 3 || st.ConsentAccepted != 2 || st.ConsentDenied != 1 {
		t.Errorf("stats = %+v, want shown 3, accepted 2, denied 1", st)
	}
}

func TestConsentRequestExpires(t *testing.T) {
	s := newServer(t, sandbox.Options{})
	_, challenge := pkce()
	_, id := showConsent(t, s, challenge, "st")
	s.Advance(11 * time.Minute)
	resp := postConsent(t, s, url.Values{"request": {id}, "decision": {"accept"}}, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("stale consent answer: status %d, want 400", resp.StatusCode)
	}
}
