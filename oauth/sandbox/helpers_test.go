package sandbox_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/oauth/dstoken"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

const redirectURI = "http://127.0.0.1:8765/callback"

// client never follows redirects, so tests can read Location.
var client = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func newServer(t *testing.T, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	s, err := sandbox.NewServer(opts)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// pkce returns a fresh verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authQuery is a valid authorize query for s's defaults, with overrides
// (an empty override value deletes the parameter; an empty challenge
// leaves out both PKCE parameters).
func authQuery(challenge, scope, state string, over map[string]string) url.Values {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {sandbox.DefaultIntegrationKey},
		"scope":                 {scope},
		"redirect_uri":          {redirectURI},
		"state":                 {state},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
	}
	if challenge == "" {
		q.Del("code_challenge")
		q.Del("code_challenge_method")
	}
	for k, v := range over {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return q
}

// authURL encodes q with %20 for spaces, as Token Desk (and DocuSign) do.
func authURL(s *sandbox.Server, q url.Values) string {
	return s.URL() + "/oauth/auth?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

func get(t *testing.T, rawURL string) *http.Response {
	t.Helper()
	resp, err := client.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", strings.SplitN(rawURL, "?", 2)[0], err)
	}
	return resp
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// location returns the redirect's target and query (fails unless 302).
func location(t *testing.T, resp *http.Response) (*url.URL, url.Values) {
	t.Helper()
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d, want 302", resp.StatusCode)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("bad Location: %v", err)
	}
	return u, u.Query()
}

// login runs an auto-accepted authorize request and returns the code.
func login(t *testing.T, s *sandbox.Server, scope, challenge string) string {
	t.Helper()
	_, q := location(t, get(t, authURL(s, authQuery(challenge, scope, "st", nil))))
	code := q.Get("code")
	if code == "" {
		t.Fatalf("no code in redirect (error=%q)", q.Get("error"))
	}
	return code
}

type tokenResp struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    any    `json:"expires_in"`
	Scope        string `json:"scope"`
}

type errResp struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

type basicAuth struct{ user, pass string }

// postToken posts form to /oauth/token and returns the status, the decoded
// success body and the decoded error body.
func postToken(t *testing.T, s *sandbox.Server, form url.Values, basic *basicAuth) (int, tokenResp, errResp) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic != nil {
		req.SetBasicAuth(basic.user, basic.pass)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST /oauth/token: %v", err)
	}
	body := readBody(t, resp)
	var ok tokenResp
	var bad errResp
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &ok); err != nil {
			t.Fatalf("token response is not JSON: %v", err)
		}
	} else {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("error Content-Type = %q, want application/json", ct)
		}
		if err := json.Unmarshal([]byte(body), &bad); err != nil {
			t.Fatalf("error response %q is not JSON: %v", body, err)
		}
	}
	return resp.StatusCode, ok, bad
}

// exchange redeems code as a public client; it fails the test unless 200.
func exchange(t *testing.T, s *sandbox.Server, code, verifier string) tokenResp {
	t.Helper()
	st, tok, e := postToken(t, s, url.Values{
		"grant_type": {"authorization_code"}, "code": {code},
		"client_id": {sandbox.DefaultIntegrationKey}, "code_verifier": {verifier},
	}, nil)
	if st != http.StatusOK {
		t.Fatalf("exchange: status %d, %+v", st, e)
	}
	return tok
}

func refresh(t *testing.T, s *sandbox.Server, rt string) (int, tokenResp, errResp) {
	t.Helper()
	return postToken(t, s, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {sandbox.DefaultIntegrationKey},
	}, nil)
}

// newSession logs in (public client, auto-accept) and exchanges the code.
func newSession(t *testing.T, s *sandbox.Server, scope string) tokenResp {
	t.Helper()
	v, c := pkce()
	return exchange(t, s, login(t, s, scope, c), v)
}

func decode(t *testing.T, tok string) dstoken.Claims {
	t.Helper()
	c, err := dstoken.Decode(tok)
	if err != nil {
		t.Fatalf("dstoken.Decode: %v", err)
	}
	return c
}

func userinfo(t *testing.T, s *sandbox.Server, bearer string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/oauth/userinfo", nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET /oauth/userinfo: %v", err)
	}
	return resp.StatusCode, readBody(t, resp)
}
