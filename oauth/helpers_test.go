package oauth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/internal/testbrowser"
	"github.com/tokendesk/tokendesk/internal/testnet"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

// ports returns n distinct loopback ports that are free now.
func ports(t testing.TB, n int) []int {
	t.Helper()
	out := make([]int, 0, n)
	for len(out) < n {
		p := testnet.FreePort(t)
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func redirectURIs(ps []int) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = oauth.RedirectURI(p)
	}
	return out
}

// fixture is a sandbox and a client configured for it, sharing one clock.
type fixture struct {
	srv *sandbox.Server
	cl  *oauth.Client
	cfg oauth.Config
}

type fixtureOpt struct {
	secret     string
	scopes     []string
	autoAccept bool
	ports      int
	mutate     func(*oauth.Config)
	server     func(*sandbox.Options)
}

func newFixture(t *testing.T, o fixtureOpt) *fixture {
	t.Helper()
	if o.ports == 0 {
		o.ports = 3
	}
	ps := ports(t, o.ports)
	so := sandbox.Options{Secret: o.secret, AutoAccept: o.autoAccept, RedirectURIs: redirectURIs(ps)}
	if o.server != nil {
		o.server(&so)
	}
	srv, err := sandbox.NewServer(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	cfg := oauth.Config{
		Environment:    oauth.Environment(srv.URL()),
		IntegrationKey: srv.IntegrationKey(),
		ClientSecret:   o.secret,
		Scopes:         o.scopes,
		Ports:          ps,
		HTTPTimeout:    5 * time.Second,
		LoginTimeout:   20 * time.Second,
		Now:            srv.Now,
	}
	if o.mutate != nil {
		o.mutate(&cfg)
	}
	cl, err := oauth.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, cl: cl, cfg: cfg}
}

// login runs a full consent with the programmatic browser answering d.
func (f *fixture) login(t *testing.T, d testbrowser.Decision) (*oauth.Session, *testbrowser.Page, error) {
	t.Helper()
	pages := make(chan *testbrowser.Page, 1)
	s, err := f.cl.Login(context.Background(), func(u string) {
		go func() {
			p, err := testbrowser.Visit(context.Background(), u, d)
			if err != nil {
				p = &testbrowser.Page{Body: "browser error: " + err.Error()}
			}
			pages <- p
		}()
	})
	select {
	case p := <-pages:
		return s, p, err
	case <-time.After(10 * time.Second):
		return s, nil, err
	}
}

// mustLogin logs in with Accept and fails the test otherwise.
func (f *fixture) mustLogin(t *testing.T) *oauth.Session {
	t.Helper()
	s, _, err := f.login(t, testbrowser.Accept)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return s
}

// codeFor runs the authorize step without a loopback server and returns the
// code from the redirect, for exchange-level tests.
func (f *fixture) codeFor(t *testing.T, req *oauth.AuthRequest) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(req.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("no code in redirect (status %d)", resp.StatusCode)
	}
	return loc.Query().Get("code")
}

// kindOf fails unless err is an *oauth.Error of kind k.
func wantKind(t *testing.T, err error, k oauth.Kind) *oauth.Error {
	t.Helper()
	oe, ok := err.(*oauth.Error)
	if !ok {
		t.Fatalf("want *oauth.Error of kind %v, got %T: %v", k, err, err)
	}
	if oe.Kind != k {
		t.Fatalf("want kind %v, got %v: %v", k, oe.Kind, oe)
	}
	return oe
}

func fmtErr(err error) string { return fmt.Sprintf("%v|%+v|%#v", err, err, err) }
