package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/tokendesk/tokendesk/desk"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// TestStatusJSONFieldsArePromises pins the field names `status --json`
// promises to scripts: adding is fine, renaming or dropping fails here.
func TestStatusJSONFieldsArePromises(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := keeper.Status{Profile: "prod", Environment: oauth.Production, State: keeper.Valid,
		RefreshExpiresAt: now.Add(720 * time.Hour), RefreshExpirySource: oauth.SourceEstimate,
		Session: &oauth.Session{RequestedScopes: []string{"signature", "extended"}, ReportedScopes: []string{"signature"},
			AccessExpiresAt: now.Add(8 * time.Hour), ConsentedAt: now, RefreshIssuedAt: now,
			User: &oauth.UserInfo{Name: "Ada", Email: "ada@example.com"}}}
	b, err := json.Marshal(NewStatusJSON(st))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"profile", "environment", "state", "scopes", "extended", "access_token_expires_at",
		"refresh_token_issued_at", "refresh_token_expires_at", "refresh_token_expiry_source", "consented_at", "user"} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing promised field %q", k)
		}
	}
	if got["state"] != "valid" || got["extended"] != true || got["environment"] != "production" ||
		got["refresh_token_expiry_source"] != "estimate" || got["access_token_expires_at"] != "2026-03-01T20:00:00Z" {
		t.Errorf("values: %s", b)
	}
	if u := got["user"].(map[string]any); u["name"] != "Ada" || u["email"] != "ada@example.com" {
		t.Errorf("user: %v", u)
	}
	signedOut, _ := json.Marshal(NewStatusJSON(keeper.Status{Profile: "p", State: keeper.SignedOut}))
	if !strings.Contains(string(signedOut), `"access_token_expires_at":null`) || !strings.Contains(string(signedOut), `"scopes":[]`) {
		t.Errorf("signed out: %s", signedOut)
	}
}

func TestParseArgsInterspersed(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	key := fs.String("integration-key", "", "")
	pos, err := parseArgs(fs, []string{"NAME", "--integration-key", "K", "extra"})
	if err != nil || !slices.Equal(pos, []string{"NAME", "extra"}) || *key != "K" {
		t.Fatalf("pos=%v key=%q err=%v", pos, *key, err)
	}
	_, err = parseArgs(flag.NewFlagSet("y", flag.ContinueOnError), []string{"--nope"})
	var ue usageError
	if !errors.As(err, &ue) {
		t.Fatalf("unknown flag: %v", err)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		err  error
		code int
	}{
		{nil, ExitOK},
		{usageError{"bad"}, ExitUsage},
		{needsLogin{"log in"}, ExitNeedsLogin},
		{keeper.ErrSignedOut, ExitNeedsLogin},
		{&oauth.Error{Op: "refresh", Kind: oauth.KindRelogin, Msg: "dead"}, ExitNeedsLogin},
		{fmt.Errorf("wrapped: %w", &oauth.Error{Op: "refresh", Kind: oauth.KindRelogin, Msg: "dead"}), ExitNeedsLogin},
		{&oauth.Error{Op: "refresh", Kind: oauth.KindTransient, Msg: "down"}, ExitError},
		{errors.New("keyring locked\nsecond line"), ExitError},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		if got := exitCode(tt.err, Env{Stderr: &stderr}); got != tt.code {
			t.Errorf("%v: exit %d, want %d", tt.err, got, tt.code)
		}
		if tt.err != nil && strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%v: stderr is not one line: %q", tt.err, stderr.String())
		}
	}
}

// An interrupted command says so in words, never Go's "context canceled".
func TestExitCodeInterrupted(t *testing.T) {
	for _, err := range []error{context.Canceled, fmt.Errorf("refresh: %w", context.Canceled)} {
		var stderr bytes.Buffer
		if got := exitCode(err, Env{Stderr: &stderr}); got != ExitError {
			t.Errorf("%v: exit %d, want %d", err, got, ExitError)
		}
		if msg := stderr.String(); msg != "tokendesk: interrupted\n" {
			t.Errorf("%v: stderr %q", err, msg)
		}
	}
}

func TestIsWindow(t *testing.T) {
	for _, tc := range []struct {
		args         []string
		window, demo bool
	}{
		{nil, true, false}, {[]string{"--demo"}, true, true}, {[]string{"token"}, false, false}, {[]string{"--demo", "x"}, false, false},
	} {
		if w, d := IsWindow(tc.args); w != tc.window || d != tc.demo {
			t.Errorf("%v: window=%v demo=%v", tc.args, w, d)
		}
	}
}

// The usage text offers every named environment of oauth's one table.
func TestUsageNamesEveryEnvironment(t *testing.T) {
	for _, e := range oauth.Environments() {
		if !strings.Contains(usage, e.Name) {
			t.Errorf("usage does not offer environment %q", e.Name)
		}
	}
	if strings.Contains(usage, "ENVS") {
		t.Error("usage still carries its ENVS placeholder")
	}
}

// Every command Run knows is in the usage text a person reads.
func TestUsageNamesEveryCommand(t *testing.T) {
	for _, cmd := range []string{"profile add", "profile list", "login", "token", "accounts", "exec", "status",
		"refresh", "logout", "agent", "autostart", "sandbox", "--background", "--demo", "TOKENDESK_NO_AGENT"} {
		if !strings.Contains(usage, cmd) {
			t.Errorf("usage does not mention %q", cmd)
		}
		if strings.HasPrefix(cmd, "-") || strings.HasPrefix(cmd, "TOKENDESK") || strings.Contains(cmd, " ") {
			continue
		}
		var stderr bytes.Buffer
		if code := Run(context.Background(), []string{cmd, "--no-such-flag"}, Env{Stdout: &bytes.Buffer{}, Stderr: &stderr,
			Manager: func() (*desk.Manager, error) { return nil, errors.New("no manager in this test") }}); code != ExitUsage {
			t.Errorf("%s --no-such-flag: exit %d, want %d (is it dispatched?): %s", cmd, code, ExitUsage, stderr.String())
		}
	}
}
