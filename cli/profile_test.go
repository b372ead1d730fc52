package cli

import (
	"strconv"
	"strings"
	"testing"

	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

// TestProfileReAddEndsSession: re-adding a profile for another server or
// integration key ends its session and says so; the old token is never
// printed for the new server.
func TestProfileReAddEndsSession(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true})
	h.addProfile("p1")
	h.login("p1")
	if r := h.run("token"); r.code != 0 {
		t.Fatalf("token: %+v", r)
	}
	// Same server, other ports: the session stays.
	r := h.run("profile", "add", "p1", "--integration-key", h.srv.IntegrationKey(), "--env", h.srv.URL(), "--ports", strconv.Itoa(h.port)+" 9001")
	if r.code != 0 || strings.Contains(r.stderr, "ended") {
		t.Fatalf("ports change: %+v", r)
	}
	if r := h.run("token"); r.code != 0 {
		t.Fatalf("token after a ports change: %+v", r)
	}
	r = h.run("profile", "add", "p1", "--integration-key", "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "--env", "production")
	if r.code != 0 || !strings.Contains(r.stderr, "session on this computer was ended") || !strings.Contains(r.stderr, "`tokendesk login -p p1`") {
		t.Fatalf("re-add for another server: %+v", r)
	}
	if r := h.run("token"); r.code != ExitNeedsLogin || r.stdout != "" {
		t.Fatalf("token after the server changed: %+v", r)
	}
}

func TestProfileAddPorts(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true})
	for _, tc := range []struct {
		ports string
		code  int
		want  string
	}{
		{"8765, 8766;8767", 0, "http://127.0.0.1:8767/callback"},
		{"8765 x", ExitUsage, `"x"`},
		{"80", ExitUsage, "--ports"},
	} {
		r := h.run("profile", "add", "p", "--integration-key", h.srv.IntegrationKey(), "--env", h.srv.URL(), "--ports", tc.ports)
		out := r.stdout + r.stderr
		if r.code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("--ports %q: %+v", tc.ports, r)
		}
	}
}
