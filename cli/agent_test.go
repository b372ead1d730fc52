package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/agent"
	"github.com/tokendesk/tokendesk/autostart"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// appBackend is a running app's answers, for the agent path.
type appBackend struct {
	st  keeper.Status
	tok string
	err error
}

func (b *appBackend) Token(context.Context, string, time.Duration) (string, *keeper.Status, error) {
	return b.tok, &b.st, b.err
}
func (b *appBackend) Status(context.Context, string) (*keeper.Status, error) { return &b.st, nil }
func (b *appBackend) Refresh(context.Context, string) (*keeper.Status, error) {
	return &b.st, b.err
}
func (b *appBackend) HandOff(context.Context, string, *agent.HandOff) error { return nil }

// agentEnv points the process's configuration at a fresh dir with its own
// runtime dir, and returns its endpoint.
func agentEnv(t *testing.T) agent.Endpoint {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Unix sockets")
	}
	rt, err := os.MkdirTemp("", "tdrt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	dir := t.TempDir()
	t.Setenv("TOKENDESK_CONFIG_DIR", dir)
	t.Setenv(agent.EnvRuntimeDir, rt)
	t.Setenv(EnvNoAgent, "")
	return agent.DefaultEndpoint(dir)
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Manager: OpenManager,
		OpenBrowser: func(string) error { return nil }, AgentFirst: true}
	code = Run(context.Background(), args, env)
	return code, out.String(), errb.String()
}

func TestAgentPath(t *testing.T) {
	now := time.Now().UTC()
	valid := keeper.Status{Profile: "p", Environment: oauth.Demo, State: keeper.Valid,
		AccessExpiresAt: now.Add(time.Hour), RefreshExpiresAt: now.Add(240 * time.Hour),
		Session: &oauth.Session{RequestedScopes: []string{"signature", "extended"}, AccessExpiresAt: now.Add(time.Hour),
			ConsentedAt: now, RefreshIssuedAt: now}}
	tests := []struct {
		name     string
		b        *appBackend
		args     []string
		noAgent  bool
		wantCode int
		check    func(stdout, stderr string) string
	}{
		{"token", &appBackend{st: valid, tok: "app-token"}, []string{"token"}, false, 0, func(o, e string) string {
			if o != "app-token\n" || e != "" {
				return "want the app's token alone on stdout"
			}
			return ""
		}},
		{"token signed out", &appBackend{st: keeper.Status{Profile: "p", State: keeper.SignedOut}, err: keeper.ErrSignedOut}, []string{"token", "-p", "p"}, false, 4, func(o, e string) string {
			if o != "" || !strings.Contains(e, `profile "p" is not logged in`) || !strings.Contains(e, "tokendesk login -p p") {
				return "want the not-logged-in advice"
			}
			return ""
		}},
		{"token dead session", &appBackend{st: valid, err: &oauth.Error{Op: "refresh", Kind: oauth.KindRelogin, Msg: "the refresh token was revoked"}}, []string{"token"}, false, 4, func(o, e string) string {
			if !strings.Contains(e, "revoked") || !strings.Contains(e, "tokendesk login -p p") {
				return "want the re-login advice"
			}
			return ""
		}},
		{"status --json", &appBackend{st: valid}, []string{"status", "--json"}, false, 0, func(o, e string) string {
			var j struct {
				KeptAliveBy *agent.Info `json:"kept_alive_by"`
			}
			if err := json.Unmarshal([]byte(o), &j); err != nil || j.KeptAliveBy == nil || j.KeptAliveBy.Kind != agent.KindAgent || j.KeptAliveBy.PID != os.Getpid() {
				return "want kept_alive_by.kind agent with this pid"
			}
			return ""
		}},
		{"status human", &appBackend{st: valid}, []string{"status"}, false, 0, func(o, e string) string {
			if !strings.Contains(o, "Kept alive by:") || !strings.Contains(o, "`tokendesk agent` (pid") {
				return "want the kept-alive row"
			}
			return ""
		}},
		{"refresh", &appBackend{st: valid}, []string{"refresh"}, false, 0, func(o, e string) string {
			if !strings.HasPrefix(o, "Refreshed: access token valid until") {
				return "want the refreshed line"
			}
			return ""
		}},
		{"unknown flag goes direct", &appBackend{st: valid, tok: "app-token"}, []string{"token", "--bogus"}, false, 2, func(o, e string) string {
			if o != "" {
				return "the app answered a command the direct path refuses"
			}
			return ""
		}},
		{"TOKENDESK_NO_AGENT=1 goes direct", &appBackend{st: valid, tok: "app-token"}, []string{"token"}, true, 1, func(o, e string) string {
			if o != "" || !strings.Contains(e, "no profiles") {
				return "want the direct path's answer (no profiles in this config)"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := agentEnv(t)
			if tt.noAgent {
				t.Setenv(EnvNoAgent, "1")
			}
			srv, err := agent.Listen(ep, agent.Options{Kind: agent.KindAgent, Backend: tt.b})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { _ = srv.Serve(ctx); close(done) }()
			defer func() { cancel(); <-done }()
			code, o, e := runCLI(tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, tt.wantCode, o, e)
			}
			if msg := tt.check(o, e); msg != "" {
				t.Fatalf("%s; stdout %q stderr %q", msg, o, e)
			}
		})
	}
}

// TestAgentPathStaleSocket: a socket left by a killed app sends the
// command to the direct path at once.
func TestAgentPathStaleSocket(t *testing.T) {
	ep := agentEnv(t)
	if err := os.MkdirAll(ep.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", ep.Address)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	start := time.Now()
	code, o, e := runCLI("token")
	if code != 1 || o != "" || !strings.Contains(e, "no profiles") {
		t.Fatalf("exit %d stdout %q stderr %q; want the direct path's answer", code, o, e)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("fallback took %v", d)
	}
}

func TestWriteKeptAlive(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	valid := keeper.Status{Profile: "p", State: keeper.Valid, RefreshExpiresAt: now.Add(72 * time.Hour), Session: &oauth.Session{}}
	tests := []struct {
		name string
		st   keeper.Status
		by   *agent.Info
		want []string
		not  []string
	}{
		{"agent", valid, &agent.Info{Kind: agent.KindAgent, PID: 42, Since: now}, []string{"Kept alive by:", "`tokendesk agent` (pid 42)"}, []string{"NOTHING"}},
		{"window", valid, &agent.Info{Kind: agent.KindWindow, PID: 7, Since: now}, []string{"the Token Desk window (pid 7)"}, nil},
		{"nothing runs", valid, nil, []string{"NOTHING", "nothing refreshes this session", "it dies on", "tokendesk agent", "autostart on"}, nil},
		{"signed out: no warning", keeper.Status{Profile: "p", State: keeper.SignedOut}, nil, nil, []string{"Kept alive by"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			writeKeptAlive(&b, tt.st, tt.by, now)
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("lacks %q: %s", w, b.String())
				}
			}
			for _, w := range tt.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("has %q: %s", w, b.String())
				}
			}
		})
	}
}

func TestSystemdUnit(t *testing.T) {
	tests := []struct {
		name, exe, dir string
		want           []string
		not            []string
	}{
		{"plain", "/usr/local/bin/tokendesk", "", []string{`ExecStart="/usr/local/bin/tokendesk" agent`, "Restart=on-failure", "WantedBy=default.target"}, []string{"Environment="}},
		{"config dir", "/opt/td bin/tokendesk", `/home/a/100% "td"`, []string{`ExecStart="/opt/td bin/tokendesk" agent`, `Environment="TOKENDESK_CONFIG_DIR=/home/a/100%% \"td\""`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := SystemdUnit(tt.exe, tt.dir)
			for _, w := range tt.want {
				if !strings.Contains(u, w+"\n") {
					t.Errorf("unit lacks line %q:\n%s", w, u)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(u, w) {
					t.Errorf("unit has %q", w)
				}
			}
		})
	}
}

func TestNoDisplay(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name, goos string
		getenv     func(string) string
		want       bool
	}{
		{"linux without display", "linux", env(), true},
		{"X11", "linux", env("DISPLAY", ":0"), false},
		{"Wayland", "linux", env("WAYLAND_DISPLAY", "wayland-0"), false},
		{"macOS", "darwin", env(), false},
		{"Windows", "windows", env(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := NoDisplay(tt.goos, tt.getenv)
			if (msg != "") != tt.want {
				t.Fatalf("NoDisplay = %q", msg)
			}
			if tt.want && (!strings.Contains(msg, "tokendesk agent") || !strings.Contains(msg, "tokendesk token")) {
				t.Fatalf("the message does not point to the command line: %q", msg)
			}
		})
	}
}

func TestWarningOf(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name        string
		st          keeper.Status
		wantOutcome string
	}{
		{"valid", keeper.Status{Profile: "p", State: keeper.Valid}, ""},
		{"expiring soon", keeper.Status{Profile: "p", State: keeper.Valid, ExpiringSoon: true, RefreshExpiresAt: now.Add(time.Hour)}, "expiring_soon"},
		{"dead", keeper.Status{Profile: "p", State: keeper.ReloginRequired, Reason: "revoked"}, "relogin_required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, outcome := warningOf(tt.st)
			if outcome != tt.wantOutcome || (outcome != "" && !strings.Contains(msg, "tokendesk login -p p")) {
				t.Fatalf("warningOf = %q, %q", msg, outcome)
			}
		})
	}
}

func TestAutostartCommand(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the XDG entry is Linux's")
	}
	cfgHome := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfgHome)
	dir := t.TempDir()
	t.Setenv("TOKENDESK_CONFIG_DIR", dir)
	entry := filepath.Join(cfgHome, "autostart", autostart.AppID+".desktop")
	steps := []struct {
		args     []string
		wantCode int
		wantOut  string
		exists   bool
	}{
		{[]string{"autostart", "status"}, 0, "off: no entry at " + entry, false},
		{[]string{"autostart", "on"}, 0, "Autostart is on", true},
		{[]string{"autostart", "status"}, 0, "on: " + entry, true},
		{[]string{"autostart", "off"}, 0, "Autostart is off", false},
		{[]string{"autostart", "status"}, 0, "off:", false},
		{[]string{"autostart", "maybe"}, 2, "", false},
		{[]string{"autostart"}, 2, "", false},
	}
	for _, s := range steps {
		code, o, e := runCLI(s.args...)
		if code != s.wantCode || !strings.Contains(o, s.wantOut) {
			t.Fatalf("%v: exit %d stdout %q stderr %q", s.args, code, o, e)
		}
		b, err := os.ReadFile(entry)
		if (err == nil) != s.exists {
			t.Fatalf("%v: entry exists=%v", s.args, err == nil)
		}
		if err == nil {
			exe, _ := autostart.Executable()
			args := autostart.ExecArgs(autostart.DesktopExec(string(b)))
			want := []string{"env", "TOKENDESK_CONFIG_DIR=" + dir, exe, "--background"}
			if strings.Join(args, "\x00") != strings.Join(want, "\x00") {
				t.Fatalf("Exec runs %q, want %q", args, want)
			}
		}
	}
}
