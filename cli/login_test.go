package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

func TestLoginReportsUser(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true})
	h.addProfile("p")
	r := h.login("p")
	if !strings.Contains(r.stdout, "Logged in as Sandy Box <sandy.box@example.com>") {
		t.Fatalf("login: %+v", r)
	}
}

func TestLoginUserinfoFailureIsSaid(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true})
	h.addProfile("p")
	h.srv.InjectFault(sandbox.Fault{Path: "/oauth/userinfo", Status: 403, ContentType: "application/json",
		Body: `{"error":"insufficient_scope","error_description":"the token lacks the openid scope"}`}, 1)
	r := h.login("p")
	if strings.Contains(r.stdout, "Logged in as") || !strings.Contains(r.stdout, "Logged in (profile p") {
		t.Errorf("login with failing userinfo claims a user: %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "the user and accounts could not be read") || !strings.Contains(r.stderr, "insufficient_scope") {
		t.Errorf("login does not say userinfo failed and why: %q", r.stderr)
	}
	if r := h.run("accounts"); r.code != ExitError || !strings.Contains(r.stderr, "could not be read") ||
		!strings.Contains(r.stderr, "tokendesk login -p p") {
		t.Errorf("accounts without userinfo: %+v", r)
	}
}

// TestLoginBrowserLauncherDoesNotBlock uses a launcher that opens the page
// and then never exits, like a browser started in the foreground.
func TestLoginBrowserLauncherDoesNotBlock(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true})
	h.addProfile("p")
	release := make(chan struct{})
	defer close(release)
	h.browse = func(u string) error {
		go func() { _ = visit(u) }()
		<-release
		return nil
	}
	start := time.Now()
	h.login("p")
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("login took %s with a launcher that never exits", d)
	}
}

func TestLoginOverSSHMentionsManual(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true})
	h.addProfile("p")
	for _, tc := range []struct {
		ssh, display string
		want         bool
	}{
		{"10.0.0.1 5000 10.0.0.2 22", "", true},
		{"10.0.0.1 5000 10.0.0.2 22", ":0", false},
		{"", "", false},
	} {
		t.Setenv("SSH_CONNECTION", tc.ssh)
		t.Setenv("DISPLAY", tc.display)
		t.Setenv("WAYLAND_DISPLAY", "")
		r := h.login("p")
		if got := strings.Contains(r.stderr, "tokendesk login -p p --manual"); got != tc.want {
			t.Errorf("SSH_CONNECTION=%q DISPLAY=%q: mentions --manual %v, want %v: %q", tc.ssh, tc.display, got, tc.want, r.stderr)
		}
	}
}

func TestHintsNameTheProfile(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true, AccessTTL: time.Second})
	h.addProfile("one")
	h.addProfile("two")
	for _, cmd := range []string{"token", "status", "exec"} {
		args := []string{cmd}
		if cmd == "exec" {
			args = append(args, "--", "true")
		}
		if r := h.run(args...); r.code != ExitError || !strings.Contains(r.stderr, "-p NAME, e.g. `tokendesk "+cmd+" -p one`") {
			t.Errorf("%s without -p: %+v", cmd, r)
		}
	}
	for _, args := range [][]string{{"token", "-p", "one"}, {"refresh", "-p", "one"}, {"exec", "-p", "one", "--", "true"}, {"status", "-p", "one"}} {
		if r := h.run(args...); r.code != ExitNeedsLogin || !strings.Contains(r.stderr, "`tokendesk login -p one`") {
			t.Errorf("%q signed out: %+v", args, r)
		}
	}
	h.login("one")
	h.srv.RevokeConsent()
	time.Sleep(1100 * time.Millisecond) // the access token expires
	for _, args := range [][]string{{"token", "-p", "one"}, {"refresh", "-p", "one"}} {
		r := h.run(args...)
		if r.code != ExitNeedsLogin || !strings.Contains(r.stderr, "`tokendesk login -p one`") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q after revocation: %+v", args, r)
		}
	}
	if r := h.run("status", "-p", "one"); r.code != ExitNeedsLogin || !strings.Contains(r.stderr, "`tokendesk login -p one`") {
		t.Errorf("status after revocation: %+v", r)
	}
}

func TestCustomServerIsNamedByURL(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true})
	h.addProfile("p")
	r := h.login("p")
	name := "the account server (" + h.srv.URL() + ")"
	if !strings.Contains(r.stderr, name) || strings.Contains(r.stderr, "DocuSign") {
		t.Errorf("login names the custom server wrongly: %q", r.stderr)
	}
	r = h.run("logout")
	if r.code != 0 || !strings.Contains(r.stdout, name) || strings.Contains(r.stdout, "DocuSign") {
		t.Errorf("logout: %+v", r)
	}
	r = h.run("profile", "add", "q", "--integration-key", h.srv.IntegrationKey(), "--env", h.srv.URL())
	if r.code != 0 || !strings.Contains(r.stdout, "integration key on "+name) || strings.Contains(r.stdout, "DocuSign") {
		t.Errorf("profile add: %+v", r)
	}
	r = h.run("profile", "remove", "q")
	if r.code != 0 || !strings.Contains(r.stdout, "Consent at "+name) || strings.Contains(r.stdout, "DocuSign") {
		t.Errorf("profile remove: %+v", r)
	}
}
