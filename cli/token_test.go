package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/internal/tokenfmt"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

// The sandbox's default user has two accounts; the second is the default.
const (
	defaultAccountID = "b81f5c2e-7d3a-4f69-8e14-6c0a9b2d4e35"
	defaultBaseURI   = "https://demo.docusign.net"
)

func TestTokenFormats(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true})
	h.addProfile("p")
	h.login("p")
	for _, tc := range []struct {
		args []string
		want func(tok string) string
	}{
		{nil, func(tok string) string { return tok }},
		{[]string{"--format", "raw"}, func(tok string) string { return tok }},
		{[]string{"--format", "header"}, func(tok string) string { return "Authorization: Bearer " + tok }},
		{[]string{"--format", "env"}, func(tok string) string {
			return "export DOCUSIGN_ACCESS_TOKEN=" + tok + "\nexport DOCUSIGN_ACCOUNT_ID=" + defaultAccountID +
				"\nexport DOCUSIGN_BASE_URI=" + defaultBaseURI
		}},
	} {
		r := h.run(append([]string{"token"}, tc.args...)...)
		tok := h.storedAccess("p")
		if r.code != 0 || r.stderr != "" || r.stdout != tc.want(tok)+"\n" {
			t.Errorf("token %v: %+v", tc.args, r)
		}
	}
	r := h.run("token", "--format", "json")
	var j map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil || r.code != 0 {
		t.Fatalf("json: %v %+v", err, r)
	}
	exp, err := time.Parse(time.RFC3339, j["expires_at"].(string))
	if j["access_token"] != h.storedAccess("p") || j["profile"] != "p" || j["account_id"] != defaultAccountID ||
		j["base_uri"] != defaultBaseURI || err != nil || time.Until(exp) < time.Hour {
		t.Errorf("json: %s", r.stdout)
	}
	if r := h.run("token", "--format", "yaml"); r.code != ExitUsage || r.stdout != "" || !strings.Contains(r.stderr, "raw, header, env, json") {
		t.Errorf("bad format: %+v", r)
	}
}

func TestExtraArgumentsAreUsageErrors(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true})
	h.addProfile("p")
	for _, args := range [][]string{
		{"token", "-p", "p", "extra"},
		{"token", "extra", "-p", "p"},
		{"status", "x"},
		{"status", "--json", "x"},
		{"refresh", "x"},
		{"logout", "x"},
		{"login", "x"},
		{"accounts", "x"},
		{"profile", "list", "x"},
		{"profile", "remove", "p", "q"},
		{"profile", "add", "a", "b", "--integration-key", h.srv.IntegrationKey()},
		{"exec", "-p", "p"},
		{"token", "--nope"},
	} {
		r := h.run(args...)
		if r.code != ExitUsage || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q: %+v", args, r)
		}
	}
	if r := h.run("profile", "list"); !strings.Contains(r.stdout, "p ") {
		t.Fatalf("a usage error changed the profiles: %+v", r)
	}
}

func TestAccounts(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true})
	h.addProfile("p")
	if r := h.run("accounts"); r.code != ExitNeedsLogin || !strings.Contains(r.stderr, "tokendesk login -p p") {
		t.Fatalf("accounts before login: %+v", r)
	}
	h.login("p")
	r := h.run("accounts", "--json")
	var got []AccountJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("accounts --json: %v %+v", err, r)
	}
	want := []AccountJSON{
		{Name: "Sandbox Europe Ltd", AccountID: "a4ec37d6-04b2-4a0e-9c5f-3f1b2d6e8a71", BaseURI: defaultBaseURI},
		{Name: "Sandbox Corporation", AccountID: defaultAccountID, BaseURI: defaultBaseURI, Default: true},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("accounts = %+v, want %+v", got, want)
	}
	var raw []map[string]any
	_ = json.Unmarshal([]byte(r.stdout), &raw)
	for _, k := range []string{"name", "account_id", "base_uri", "default"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("accounts --json lacks %q", k)
		}
	}
	r = h.run("accounts")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 3 || !strings.Contains(lines[2], defaultAccountID) || !strings.HasSuffix(lines[2], "yes") ||
		strings.HasSuffix(lines[1], "yes") {
		t.Fatalf("accounts: %+v", r)
	}
}

func TestExec(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true})
	h.addProfile("p")
	script := `printf '%s|%s|%s|%s' "$DOCUSIGN_ACCESS_TOKEN" "$DOCUSIGN_ACCOUNT_ID" "$DOCUSIGN_BASE_URI" "$*"; exit 7`
	if r := h.run("exec", "--", "sh", "-c", script, "sh", "a"); r.code != ExitNeedsLogin || r.stdout != "" ||
		!strings.Contains(r.stderr, "tokendesk login -p p") {
		t.Fatalf("exec before login: %+v", r)
	}
	h.login("p")
	t.Setenv(tokenfmt.VarAccountID, "stale-from-parent")
	for _, args := range [][]string{
		{"exec", "--", "sh", "-c", script, "sh", "a", "--format"},
		{"exec", "-p", "p", "--min-valid", "1m", "--", "sh", "-c", script, "sh", "a", "--format"},
		{"exec", "-p", "p", "sh", "-c", script, "sh", "a", "--format"},
	} {
		r := h.run(args...)
		want := h.storedAccess("p") + "|" + defaultAccountID + "|" + defaultBaseURI + "|a --format"
		if r.code != 7 || r.stdout != want || r.stderr != "" {
			t.Errorf("%q: %+v, want stdout %q and exit 7", args, r, want)
		}
	}
	if r := h.run("exec", "--", "no-such-command-tokendesk"); r.code != ExitCommandNotFound || !strings.Contains(r.stderr, "no-such-command-tokendesk") {
		t.Errorf("missing command: %+v", r)
	}
	if r := h.run("exec", "--", "sh", "-c", "kill -TERM $$"); r.code != 128+15 {
		t.Errorf("command killed by SIGTERM: %+v, want exit 143", r)
	}
}

func TestTokenMinValidLongerThanLifetime(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true, AccessTTL: 30 * time.Second})
	h.addProfile("p")
	h.login("p")
	r := h.run("token", "--min-valid", "5m")
	if r.code != 0 || strings.TrimSpace(r.stdout) != h.storedAccess("p") || r.stdout == "\n" {
		t.Fatalf("token --min-valid 5m on a 30 s token: %+v", r)
	}
	if !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, "5m 0s") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("no one-line warning that 5m cannot be met: %q", r.stderr)
	}
	if r := h.run("token", "--min-valid", "10s"); r.code != 0 || r.stderr != "" {
		t.Fatalf("a validity that can be met warns: %+v", r)
	}
}

func TestTokenRefusesUnprintableToken(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true, AccessTTL: time.Second})
	h.addProfile("p")
	h.login("p")
	time.Sleep(1100 * time.Millisecond) // the access token expires
	h.srv.InjectFault(sandbox.Fault{Path: "/oauth/token", Status: 200, ContentType: "application/json",
		Body: `{"access_token":"abc\u001b]0;pwned\u0007def","token_type":"Bearer","refresh_token":"rt-new-123456789","expires_in":28800}`}, 1)
	r := h.run("token")
	if r.code != ExitError || r.stdout != "" || strings.ContainsAny(r.stderr, "\x1b\x07") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("token with control characters: %+v", r)
	}
}
