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

func TestLoginWrongState(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	status := make(chan int, 1)
	_, err := f.cl.Login(context.Background(), func(u string) {
		go func() {
			pu, _ := url.Parse(u)
			cb := pu.Query().Get("redirect_uri") + "?code=forged&state=not-the-state"
			resp, err := http.Get(cb)
			if err != nil {
				status <- -1
				return
			}
			resp.Body.Close()
			status <- resp.StatusCode
		}()
	})
	wantKind(t, err, oauth.KindLogin)
	if !strings.Contains(err.Error(), "does not match") {
		t.Errorf("message: %v", err)
	}
	if s := <-status; s != http.StatusBadRequest {
		t.Errorf("browser got HTTP %d, want 400", s)
	}
	if st := f.srv.Stats(); st.Exchanges+st.ExchangeRejected != 0 {
		t.Errorf("a forged callback reached the token endpoint: %+v", st)
	}
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
	s, err := f.cl.Login(context.Background(), func(u string) {
		pu, _ := url.Parse(u)
		used = pu.Query().Get("redirect_uri")
		go testbrowser.Visit(context.Background(), u, testbrowser.Accept)
	})
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
	_, err := f.cl.Login(context.Background(), func(string) {})
	wantKind(t, err, oauth.KindLogin)
	if !strings.Contains(err.Error(), "no answer from the browser") || time.Since(start) > 5*time.Second {
		t.Errorf("timeout: %v after %s", err, time.Since(start))
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

func TestLoginOneCodeOnly(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	statuses := make(chan int, 2)
	_, err := f.cl.Login(context.Background(), func(u string) {
		pu, _ := url.Parse(u)
		cb := pu.Query().Get("redirect_uri") + "?state=" + url.QueryEscape(pu.Query().Get("state"))
		for _, code := range []string{"first", "second"} {
			go func() {
				resp, err := http.Get(cb + "&code=" + code)
				if err != nil {
					statuses <- 0
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			}()
		}
	})
	// Both codes are forged, so the one accepted fails at the token endpoint.
	wantKind(t, err, oauth.KindLogin)
	got := map[int]int{}
	for range 2 {
		got[<-statuses]++
	}
	if got[http.StatusConflict] != 1 || got[http.StatusBadRequest] != 1 {
		t.Errorf("callback statuses %v, want one 409 and one 400", got)
	}
	if st := f.srv.Stats(); st.ExchangeRejected != 1 || st.Exchanges != 0 {
		t.Errorf("exchanges attempted: %+v", st)
	}
}
