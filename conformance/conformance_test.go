package conformance

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// status runs `status --json` and decodes it.
func (d *desk) status() (map[string]any, int) {
	d.t.Helper()
	r := d.run("status", "--json")
	var st map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		d.t.Fatalf("status --json: %v: %+v", err, r)
	}
	return st, r.code
}

// oneLine reports whether s is exactly one non-empty line.
func oneLine(s string) bool { s = strings.TrimSpace(s); return s != "" && !strings.Contains(s, "\n") }

// TestConformanceLogin logs in as the public client through real headless
// Chromium and as the confidential client (HTTP Basic), then gets a token
// and refreshes once, each against oidc-provider.
func TestConformanceLogin(t *testing.T) {
	for _, tc := range []struct {
		name         string
		confidential bool
		browser      browser
	}{
		{"public client, Chromium", false, chromium},
		{"confidential client", true, goClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, serverOptions{})
			d := newDesk(t, srv)
			d.addProfile(tc.confidential)
			r := d.login(tc.browser, nil)
			if r.code != 0 || !strings.Contains(r.stdout, "Logged in as") || !strings.Contains(r.stdout, "Conformance User") {
				t.Fatalf("login: %+v", r)
			}
			client := srv.PublicID
			if tc.confidential {
				client = srv.ConfidentialID
			}
			if st := srv.Stats(); st.CodeExchanges != 1 || st.ByClient[client] != 1 {
				t.Fatalf("server saw %d code exchanges, %d by this client; want 1 and 1", st.CodeExchanges, st.ByClient[client])
			}
			st, code := d.status()
			u, _ := st["user"].(map[string]any)
			if code != 0 || st["state"] != "valid" || u["email"] != "conformance.user@example.com" {
				t.Fatalf("status after login: rc %d, %v", code, st)
			}
			tok := d.run("token")
			if tok.code != 0 || !oneLine(tok.stdout) || tok.stderr != "" {
				t.Fatalf("token: %+v", tok)
			}
			rt0 := d.refreshToken()
			if r := d.run("refresh"); r.code != 0 {
				t.Fatalf("refresh: %+v", r)
			}
			rt1 := d.refreshToken()
			if rt1 == rt0 || !srv.RefreshTokenValid(rt1) || srv.RefreshTokenValid(rt0) {
				t.Fatal("the refresh did not store the rotated refresh token")
			}
			if st := srv.Stats(); st.Refreshes != 1 || st.ByClient[client] != 2 {
				t.Fatalf("server saw %d refreshes, %d requests by this client; want 1 and 2", st.Refreshes, st.ByClient[client])
			}
			d.scanForSecrets(strings.TrimSpace(tok.stdout), rt0, rt1, srv.ConfidentialPass)
		})
	}
}

// TestConformanceReuseDetection replays a rotated-out refresh token at the
// server: oidc-provider revokes the whole family, and Token Desk must then
// say that a login is needed (exit 4) instead of retrying.
func TestConformanceReuseDetection(t *testing.T) {
	srv := startServer(t, serverOptions{})
	d := newDesk(t, srv)
	d.addProfile(false)
	d.mustLogin()
	rt0 := d.refreshToken()
	if r := d.run("refresh"); r.code != 0 {
		t.Fatalf("refresh: %+v", r)
	}
	rt1 := d.refreshToken()
	if rt1 == rt0 || !srv.RefreshTokenValid(rt1) {
		t.Fatal("the rotated refresh token was not stored")
	}
	if code, e := srv.ReplayRefresh(rt0); code != http.StatusBadRequest || e != "invalid_grant" {
		t.Fatalf("replaying the old refresh token: HTTP %d %q, want 400 invalid_grant", code, e)
	}
	if st := srv.Stats(); st.ReuseDetected != 1 || srv.RefreshTokenValid(rt1) {
		t.Fatalf("reuse detected %d times, current token still valid %v: the family was not revoked", st.ReuseDetected, srv.RefreshTokenValid(rt1))
	}
	r := d.run("refresh")
	if r.code != 4 || !oneLine(r.stderr) || !strings.Contains(r.stderr, "log in") {
		t.Fatalf("refresh after the family was revoked: %+v", r)
	}
	if st, code := d.status(); code != 4 || st["state"] != "relogin_required" {
		t.Fatalf("status after the family was revoked: rc %d, state %v", code, st["state"])
	}
	before := srv.Stats().RefreshErrors
	if r := d.run("refresh"); r.code != 4 || srv.Stats().RefreshErrors != before {
		t.Fatalf("the dead refresh token was sent again (%+v)", r)
	}
}

// TestConformanceTwentyConcurrentTokens starts 20 `tokendesk token` at once
// on an expired access token: the server must see exactly one refresh, and
// every process print the same new token.
func TestConformanceTwentyConcurrentTokens(t *testing.T) {
	srv := startServer(t, serverOptions{AccessTTL: 6 * time.Second})
	d := newDesk(t, srv)
	d.addProfile(false)
	d.mustLogin()
	time.Sleep(6500 * time.Millisecond)
	before := srv.Stats()
	results := make([]result, 20)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = d.run("token", "--min-valid", "1s")
		}()
	}
	close(start)
	wg.Wait()
	after := srv.Stats()
	for i, r := range results {
		if r.code != 0 || !oneLine(r.stdout) || r.stdout != results[0].stdout {
			t.Fatalf("process %d: exit %d, stderr %q, same token as process 0: %v", i, r.code, r.stderr, r.stdout == results[0].stdout)
		}
	}
	if n := after.Refreshes - before.Refreshes; n != 1 || after.RefreshErrors != before.RefreshErrors {
		t.Fatalf("server saw %d refreshes and %d refresh errors, want exactly 1 and 0", n, after.RefreshErrors-before.RefreshErrors)
	}
}

// TestConformanceDeadRefreshToken: a revoked consent and an expired refresh
// token both end in exit 4 with one line saying to log in, and the dead
// token is never sent twice.
func TestConformanceDeadRefreshToken(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    serverOptions
		kill func(*authServer)
		wait time.Duration
	}{
		{"revoked", serverOptions{AccessTTL: 2 * time.Second}, (*authServer).RevokeAll, 2500 * time.Millisecond},
		{"expired", serverOptions{AccessTTL: 2 * time.Second, RefreshTTL: 3 * time.Second}, nil, 3500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.o)
			d := newDesk(t, srv)
			d.addProfile(false)
			d.mustLogin()
			if tc.kill != nil {
				tc.kill(srv)
			}
			time.Sleep(tc.wait)
			if srv.RefreshTokenValid(d.refreshToken()) {
				t.Fatal("setup: the server still accepts the refresh token")
			}
			r := d.run("token")
			if r.code != 4 || r.stdout != "" || !oneLine(r.stderr) || !strings.Contains(r.stderr, "log in") {
				t.Fatalf("token with a dead refresh token: %+v", r)
			}
			if st, code := d.status(); code != 4 || st["state"] != "relogin_required" {
				t.Fatalf("status: rc %d, state %v", code, st["state"])
			}
			before := srv.Stats()
			if r := d.run("token"); r.code != 4 || srv.Stats().TokenRequests != before.TokenRequests {
				t.Fatalf("the dead refresh token was sent again (%+v)", r)
			}
		})
	}
}

// TestConformanceServerTrouble: with the account server unreachable, or
// answering 503, token exits 1 with one line, the stored session stays as it
// was, status (another process) shows the failure, and once the server is
// back the next token works.
func TestConformanceServerTrouble(t *testing.T) {
	for _, tc := range []struct {
		name          string
		fail, recover func(*authServer)
	}{
		{"down", (*authServer).Down, (*authServer).Up},
		{"503", func(s *authServer) { s.Fault("503", 1, 0) }, func(*authServer) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, serverOptions{AccessTTL: 2 * time.Second})
			d := newDesk(t, srv)
			d.addProfile(false)
			d.mustLogin()
			rt := d.refreshToken()
			time.Sleep(2500 * time.Millisecond)
			tc.fail(srv)
			r := d.run("token")
			if r.code != 1 || r.stdout != "" || !oneLine(r.stderr) {
				t.Fatalf("token with the server in trouble: %+v", r)
			}
			if now := d.refreshToken(); now != rt || !srv.RefreshTokenValid(rt) {
				t.Fatal("the failed refresh changed the stored session")
			}
			if st, _ := d.status(); st["state"] == "valid" || st["last_error"] == nil {
				t.Errorf("status after the failed refresh: state %v, last_error %v", st["state"], st["last_error"])
			}
			tc.recover(srv)
			if r := d.run("token"); r.code != 0 || !oneLine(r.stdout) {
				t.Fatalf("token after the server came back: %+v", r)
			}
			if st := srv.Stats(); st.Refreshes != 1 {
				t.Fatalf("server saw %d refreshes, want 1", st.Refreshes)
			}
			if st, code := d.status(); code != 0 || st["state"] != "valid" || st["last_error"] != nil {
				t.Errorf("status after recovery: rc %d, state %v, last_error %v", code, st["state"], st["last_error"])
			}
		})
	}
}

// TestConformanceHostileCallback: during a login, another program GETs and
// HEADs the callback with an error and without the login's state. The login
// must go on, finish with the real browser's answer, and never show the
// injected text.
func TestConformanceHostileCallback(t *testing.T) {
	srv := startServer(t, serverOptions{})
	d := newDesk(t, srv)
	d.addProfile(false)
	hostile := "/callback?error=access_denied&error_description=Your+account+is+locked.+Call+%2B1-555-0100"
	r := d.login(goClient, func(string) {
		base := "http://127.0.0.1:" + strconv.Itoa(srv.CallbackPort)
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req, _ := http.NewRequest(method, base+hostile, nil)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			} else {
				t.Errorf("%s the callback: %v (the login's listener went away)", method, err)
			}
		}
	})
	if r.code != 0 || !strings.Contains(r.stdout, "Conformance User") {
		t.Fatalf("login after a hostile callback: %+v", r)
	}
	if out := r.stdout + r.stderr; strings.Contains(out, "locked") || strings.Contains(out, "555-0100") {
		t.Fatalf("the injected text was shown: %+v", r)
	}
	if st := srv.Stats(); st.CodeExchanges != 1 {
		t.Fatalf("server saw %d code exchanges, want 1", st.CodeExchanges)
	}
}

// TestConformanceFloatExpiresIn: a 200 refresh answer with "expires_in"
// written as a float is accepted, the rotated refresh token is stored, and
// the next refresh works with it.
func TestConformanceFloatExpiresIn(t *testing.T) {
	srv := startServer(t, serverOptions{})
	d := newDesk(t, srv)
	d.addProfile(false)
	d.mustLogin()
	rt0 := d.refreshToken()
	srv.Fault("float", 1, 0)
	if r := d.run("refresh"); r.code != 0 {
		t.Fatalf("refresh with a float expires_in: %+v", r)
	}
	rt1 := d.refreshToken()
	if rt1 == rt0 || !srv.RefreshTokenValid(rt1) {
		t.Fatal("the rotated refresh token from the float answer was not stored")
	}
	st, _ := d.status()
	exp, _ := time.Parse(time.RFC3339, str(st["access_token_expires_at"]))
	if d := time.Until(exp); d < 50*time.Minute || d > 61*time.Minute {
		t.Fatalf("access_token_expires_at %v: the float expires_in (3600.0) was misread", st["access_token_expires_at"])
	}
	if r := d.run("refresh"); r.code != 0 {
		t.Fatalf("the refresh after the float answer: %+v", r)
	}
	if rt2 := d.refreshToken(); rt2 == rt1 || !srv.RefreshTokenValid(rt2) {
		t.Fatal("the second refresh did not rotate")
	}
}

func str(v any) string { s, _ := v.(string); return s }
