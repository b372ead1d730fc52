package oauth_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/internal/testbrowser"
	"github.com/tokendesk/tokendesk/oauth"
)

func TestLoginHappyPath(t *testing.T) {
	for _, tc := range []struct {
		name, secret string
		auto         bool
	}{
		{"public client, consent page", "", false},
		{"confidential client, consent page", "s3cret-client-value", false},
		{"public client, auto accept", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{secret: tc.secret, autoAccept: tc.auto})
			before := f.srv.Now()
			s, page, err := f.login(t, testbrowser.Accept)
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			if s.AccessToken == "" || s.RefreshToken == "" {
				t.Fatal("session lacks tokens")
			}
			if got := strings.Join(s.RequestedScopes, " "); got != "signature extended" {
				t.Errorf("requested scopes %q", got)
			}
			if got := s.AccessExpiresAt.Sub(before); got < 8*time.Hour-time.Minute || got > 8*time.Hour+time.Minute {
				t.Errorf("access token lifetime %s, want 8h", got)
			}
			exp, src := s.RefreshExpiry(0)
			if src != oauth.SourceToken || exp.Sub(before) < 30*24*time.Hour-time.Minute || exp.Sub(before) > 30*24*time.Hour+time.Minute {
				t.Errorf("refresh expiry %s from %s, want consent+30d read from the token", exp, src)
			}
			if s.ConsentedAt.IsZero() || !s.RefreshIssuedAt.Equal(s.ConsentedAt) || s.AccessExpiresAt.Location() != time.UTC {
				t.Errorf("consent times: %s / %s", s.ConsentedAt, s.RefreshIssuedAt)
			}
			if page == nil || page.Status != 200 || !strings.Contains(page.Body, "You can close this tab") {
				t.Errorf("browser ended on %+v", page)
			}
			if st := f.srv.Stats(); st.Exchanges != 1 || st.ConsentAccepted != 1 {
				t.Errorf("sandbox stats %+v", st)
			}
			if u, err := f.cl.UserInfo(context.Background(), s.AccessToken); err != nil || u.Email == "" || len(u.Accounts) == 0 {
				t.Errorf("userinfo: %+v %v", u, err)
			} else if a, ok := u.DefaultAccount(); !ok || !a.IsDefault || a.BaseURI == "" || a.AccountID == "" {
				t.Errorf("default account %+v", a)
			}
		})
	}
}

func TestAuthURL(t *testing.T) {
	f := newFixture(t, fixtureOpt{scopes: []string{"signature", "extended", "user_read"}, mutate: func(c *oauth.Config) { c.PromptLogin = true }})
	req, err := f.cl.NewAuthRequest(oauth.RedirectURI(f.cfg.Ports[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(req.URL, "scope=signature%20extended%20user_read") || strings.Contains(req.URL, "+") {
		t.Errorf("scopes must be joined with %%20: %s", req.URL)
	}
	u, _ := url.Parse(req.URL)
	q := u.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": f.cfg.IntegrationKey, "code_challenge_method": "S256",
		"prompt": "login", "redirect_uri": oauth.RedirectURI(f.cfg.Ports[0])} {
		if q.Get(k) != want {
			t.Errorf("%s=%q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("state")) < 32 || len(q.Get("code_challenge")) != 43 {
		t.Errorf("weak state or challenge: %q %q", q.Get("state"), q.Get("code_challenge"))
	}
	other, _ := f.cl.NewAuthRequest(req.RedirectURI)
	if other.URL == req.URL {
		t.Error("two auth requests share state and challenge")
	}
}

// get sends one request and returns its status (-1 when none came back).
func get(method, u string) int {
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		return -1
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		return -1
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLoginHostileCallbacks sends, during a login, callbacks that do not
// carry the login's state (with codes or errors) and odd methods with it:
// none may end the login or use up its one answer, and the real browser
// completes the login afterwards.
func TestLoginHostileCallbacks(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		query      func(state string) string
		wantStatus int
	}{
		{"error without state", http.MethodGet, func(string) string {
			return "error=access_denied&error_description=Your+account+is+locked.+Call+%2B1-555-0100"
		}, http.StatusBadRequest},
		{"error with a wrong state", http.MethodGet, func(string) string { return "error=access_denied&state=not-the-state" }, http.StatusBadRequest},
		{"forged code, wrong state", http.MethodGet, func(string) string { return "code=forged&state=not-the-state" }, http.StatusBadRequest},
		{"HEAD with the right state", http.MethodHead, func(st string) string { return "code=forged&state=" + url.QueryEscape(st) }, http.StatusMethodNotAllowed},
		{"POST with the right state", http.MethodPost, func(st string) string { return "code=forged&state=" + url.QueryEscape(st) }, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{autoAccept: true})
			status := make(chan int, 1)
			s, err := f.cl.LoginWith(context.Background(), oauth.LoginOptions{OnURL: func(start, consent string) {
				go func() {
					cu, _ := url.Parse(consent)
					cb := cu.Query().Get("redirect_uri") + "?" + tt.query(cu.Query().Get("state"))
					status <- get(tt.method, cb)
					testbrowser.Visit(context.Background(), start, testbrowser.Accept)
				}()
			}})
			if err != nil || s == nil || s.RefreshToken == "" {
				t.Fatalf("a hostile callback broke the login: %v", err)
			}
			if got := <-status; got != tt.wantStatus {
				t.Errorf("hostile request got HTTP %d, want %d", got, tt.wantStatus)
			}
			if st := f.srv.Stats(); st.Exchanges != 1 || st.ExchangeRejected != 0 {
				t.Errorf("sandbox stats %+v", st)
			}
		})
	}
}

// TestLoginIssuerChecked: a state-matching answer naming another issuer
// (RFC 9207) ends the login without an exchange.
func TestLoginIssuerChecked(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	_, err := f.cl.LoginWith(context.Background(), oauth.LoginOptions{OnURL: func(_, consent string) {
		go func() {
			cu, _ := url.Parse(consent)
			get(http.MethodGet, cu.Query().Get("redirect_uri")+"?code=x&iss=https%3A%2F%2Fevil.example&state="+url.QueryEscape(cu.Query().Get("state")))
		}()
	}})
	wantKind(t, err, oauth.KindLogin)
	if !strings.Contains(err.Error(), "issuer") {
		t.Errorf("message: %v", err)
	}
	if st := f.srv.Stats(); st.Exchanges+st.ExchangeRejected != 0 {
		t.Errorf("an answer from another issuer reached the token endpoint: %+v", st)
	}
}

// TestLoginStartURL: the browser is handed a local start URL that carries
// neither state nor challenge and redirects to the consent page.
func TestLoginStartURL(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	var start, consent string
	s, err := f.cl.LoginWith(context.Background(), oauth.LoginOptions{OnURL: func(st, c string) {
		start, consent = st, c
		c2 := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c2.Get(st)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != c {
				t.Errorf("start URL answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		} else {
			t.Error(err)
		}
		go testbrowser.Visit(context.Background(), st, testbrowser.Accept)
	}})
	if err != nil || s == nil {
		t.Fatalf("login: %v", err)
	}
	if start != oauth.StartURL(f.cfg.Ports[0]) || strings.Contains(start, "state") || strings.Contains(start, "challenge") {
		t.Errorf("start URL %q", start)
	}
	if !strings.Contains(consent, "state=") || !strings.Contains(consent, "code_challenge=") {
		t.Errorf("consent URL %q", consent)
	}
}

// TestLoginPaste completes a login by pasting the address the browser ended
// on, after a pasted address of another login was refused.
func TestLoginPaste(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	paste := make(chan string, 2)
	var rejected []error
	s, err := f.cl.LoginWith(context.Background(), oauth.LoginOptions{
		OnURL: func(_, consent string) {
			// The browser is elsewhere: follow the consent page to the
			// redirect without calling it, as a remote browser would.
			other, _ := f.cl.NewAuthRequest(oauth.RedirectURI(f.cfg.Ports[0]))
			paste <- "http://127.0.0.1:1/callback?code=" + f.codeFor(t, other) + "&state=other"
			req := authRequestFromURL(t, f, consent)
			paste <- "  " + req + "\n"
		},
		Paste:           paste,
		OnPasteRejected: func(err error) { rejected = append(rejected, err) },
	})
	if err != nil || s == nil || s.RefreshToken == "" {
		t.Fatalf("login by paste: %v", err)
	}
	if len(rejected) != 1 || !strings.Contains(rejected[0].Error(), "does not belong") {
		t.Errorf("rejections %v", rejected)
	}
}

// authRequestFromURL runs the authorize step of a consent URL and returns
// the redirect address the browser would end on.
func authRequestFromURL(t *testing.T, f *fixture, consent string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(consent)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("authorize answered %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func TestLoginConsentDenied(t *testing.T) {
	f := newFixture(t, fixtureOpt{})
	_, page, err := f.login(t, testbrowser.Decline)
	oe := wantKind(t, err, oauth.KindConsentDenied)
	if oe.Code != "access_denied" || !strings.Contains(oe.Description, "did not consent") {
		t.Errorf("DocuSign's error fields lost: %q %q", oe.Code, oe.Description)
	}
	if !strings.Contains(err.Error(), "declined") {
		t.Errorf("message: %v", err)
	}
	if page == nil || !strings.Contains(page.Body, "Login failed") || !strings.Contains(page.Body, "declined") {
		t.Errorf("browser page: %+v", page)
	}
}

func TestLoginPortTaken(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	busy, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(f.cfg.Ports[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var used string
	s, err := f.cl.LoginWith(context.Background(), oauth.LoginOptions{OnURL: func(start, consent string) {
		pu, _ := url.Parse(consent)
		used = pu.Query().Get("redirect_uri")
		go testbrowser.Visit(context.Background(), start, testbrowser.Accept)
	}})
	if err != nil || s == nil {
		t.Fatalf("login: %v", err)
	}
	if used != oauth.RedirectURI(f.cfg.Ports[1]) {
		t.Errorf("redirect URI %q, want the second candidate", used)
	}
}

func TestLoginAllPortsTaken(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true, ports: 2})
	for _, p := range f.cfg.Ports {
		l, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
	}
	called := false
	_, err := f.cl.Login(context.Background(), func(string) { called = true })
	wantKind(t, err, oauth.KindLogin)
	for _, p := range f.cfg.Ports {
		if !strings.Contains(err.Error(), strconv.Itoa(p)) {
			t.Errorf("message does not name port %d: %v", p, err)
		}
	}
	if called {
		t.Error("a URL was handed out although no redirect port was open")
	}
}

func TestLoginTimeoutAndCancel(t *testing.T) {
	f := newFixture(t, fixtureOpt{mutate: func(c *oauth.Config) { c.LoginTimeout = 300 * time.Millisecond }})
	start := time.Now()
	_, err := f.cl.Login(context.Background(), func(u string) {
		get(http.MethodGet, strings.TrimSuffix(u, "/")+oauth.CallbackPath+"?code=x&state=y")
	})
	wantKind(t, err, oauth.KindLogin)
	for _, want := range []string{"no answer from the browser", "redirect URI", "register exactly " + oauth.RedirectURI(f.cfg.Ports[0]),
		"the account server (" + f.srv.URL() + ")", "1 request(s)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("timeout message lacks %q: %v", want, err)
		}
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("timeout after %s", time.Since(start))
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, err = f.cl.Login(ctx, func(string) { cancel() })
	wantKind(t, err, oauth.KindLogin)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: %v", err)
	}
	// The port is free again: a late browser gets no answer.
	if _, err := http.Get(oauth.RedirectURI(f.cfg.Ports[0]) + "?code=x&state=y"); err == nil {
		t.Error("the callback server is still listening after the login ended")
	}
}

// TestLoginOneCodeOnly: of two state-matching callbacks, only the first is
// taken; the second is told the login already has its answer. The client's
// token request is held until the second callback has its answer, so the
// order is fixed and the server is still up for it.
func TestLoginOneCodeOnly(t *testing.T) {
	atToken, secondDone := make(chan struct{}), make(chan struct{})
	f := newFixture(t, fixtureOpt{autoAccept: true, mutate: func(c *oauth.Config) {
		base := http.DefaultTransport.(*http.Transport).Clone()
		c.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Method == http.MethodPost {
				close(atToken)
				<-secondDone
			}
			return base.RoundTrip(r)
		})
	}})
	first, second := make(chan int, 1), make(chan int, 1)
	_, err := f.cl.LoginWith(context.Background(), oauth.LoginOptions{OnURL: func(_, consent string) {
		pu, _ := url.Parse(consent)
		cb := pu.Query().Get("redirect_uri") + "?state=" + url.QueryEscape(pu.Query().Get("state"))
		go func() { first <- get(http.MethodGet, cb+"&code=first") }()
		go func() {
			<-atToken // the first code is on its way to the token endpoint
			second <- get(http.MethodGet, cb+"&code=second")
			close(secondDone)
		}()
	}})
	// The code is forged, so the one accepted fails at the token endpoint.
	wantKind(t, err, oauth.KindLogin)
	if got := <-second; got != http.StatusConflict {
		t.Errorf("second callback got HTTP %d, want 409", got)
	}
	if got := <-first; got != http.StatusBadRequest {
		t.Errorf("first callback got HTTP %d, want 400", got)
	}
	if st := f.srv.Stats(); st.ExchangeRejected != 1 || st.Exchanges != 0 {
		t.Errorf("exchanges attempted: %+v", st)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestLoginManual: consent in a browser elsewhere, then the address the
// browser ended on is pasted; state, errors and junk get the callback's
// messages.
func TestLoginManual(t *testing.T) {
	tests := []struct {
		name    string
		paste   func(t *testing.T, f *fixture, consent string) string
		kind    oauth.Kind
		wantMsg string
	}{
		{"happy path", func(t *testing.T, f *fixture, consent string) string { return authRequestFromURL(t, f, consent) }, 0, ""},
		{"another login's address", func(t *testing.T, f *fixture, consent string) string {
			loc := authRequestFromURL(t, f, consent)
			return strings.Replace(loc, "state=", "state=x", 1)
		}, oauth.KindLogin, "does not belong"},
		{"declined", func(t *testing.T, f *fixture, consent string) string {
			cu, _ := url.Parse(consent)
			return cu.Query().Get("redirect_uri") + "?error=access_denied&error_message=The%20user%20did%20not%20consent&state=" + url.QueryEscape(cu.Query().Get("state"))
		}, oauth.KindConsentDenied, "declined"},
		{"the consent URL pasted back", func(t *testing.T, f *fixture, consent string) string { return consent }, oauth.KindLogin, "paste the whole address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{autoAccept: true})
			var consent string
			s, err := f.cl.LoginManual(context.Background(), func(u string) { consent = u },
				func(context.Context) (string, error) { return tt.paste(t, f, consent), nil })
			if cu, _ := url.Parse(consent); cu.Query().Get("redirect_uri") != oauth.RedirectURI(f.cfg.Ports[0]) {
				t.Errorf("consent URL %q does not name the first port's redirect URI", consent)
			}
			if tt.wantMsg == "" {
				if err != nil || s == nil || !f.srv.RefreshTokenValid(s.RefreshToken) {
					t.Fatalf("manual login: %v", err)
				}
				return
			}
			wantKind(t, err, tt.kind)
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %v lacks %q", err, tt.wantMsg)
			}
			if st := f.srv.Stats(); st.Exchanges+st.ExchangeRejected != 0 {
				t.Errorf("a refused address reached the token endpoint: %+v", st)
			}
		})
	}
}

func TestLoginManualTimeout(t *testing.T) {
	f := newFixture(t, fixtureOpt{mutate: func(c *oauth.Config) { c.LoginTimeout = 200 * time.Millisecond }})
	_, err := f.cl.LoginManual(context.Background(), func(string) {}, func(ctx context.Context) (string, error) {
		select {} // a person who never pastes, and a reader that ignores ctx
	})
	wantKind(t, err, oauth.KindLogin)
	if !strings.Contains(err.Error(), "register exactly "+oauth.RedirectURI(f.cfg.Ports[0])) || !strings.Contains(err.Error(), "no address was pasted") {
		t.Errorf("message: %v", err)
	}
}
