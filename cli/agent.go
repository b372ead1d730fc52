package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tokendesk/tokendesk/agent"
	"github.com/tokendesk/tokendesk/autostart"
	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/storage"
)

// drainTimeout bounds how long a stopping agent waits for refreshes in
// flight to be saved.
const drainTimeout = 2 * time.Minute

// runAgent is `tokendesk agent`: the keepers and the local endpoint with no
// GUI. It stops on SIGINT/SIGTERM (ctx) once every refresh in flight is
// saved. With --systemd-unit it prints a systemd user unit instead.
func runAgent(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	unit := fs.Bool("systemd-unit", false, "print a systemd user unit that runs the agent")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("agent takes no arguments, got %q (see tokendesk help)", pos[0])}
	}
	if *unit {
		exe, err := autostart.Executable()
		if err != nil {
			return err
		}
		dir := ""
		if d, overridden, err := storage.DefaultDir(); err == nil && overridden {
			dir = d
		}
		fmt.Fprint(env.Stdout, SystemdUnit(exe, dir))
		return nil
	}
	m, err := env.Manager()
	if err != nil {
		return err
	}
	if _, err := m.Config(); err != nil {
		return err
	}
	m.MarkLongRunning() // the agent holds a token it cannot store; it has no one to hand it to
	logf := func(format string, a ...any) { fmt.Fprintf(env.Stderr, "tokendesk agent: "+format+"\n", a...) }
	return Serve(ctx, m, agent.Options{Kind: agent.KindAgent, Backend: &agent.ManagerBackend{M: m}, Logf: logf}, logf)
}

// Serve runs a manager's keepers and serves them on the configuration's
// endpoint until ctx ends, then waits for requests and refreshes in flight
// to finish so no rotated token is dropped. Warnings (expiring soon,
// re-login required) go to logf and to each profile's activity log. It is
// shared by `tokendesk agent` and the window (main.go), whose opt.Kind and
// ShowWindow differ.
func Serve(ctx context.Context, m *desk.Manager, opt agent.Options, logf func(string, ...any)) error {
	srv, err := Listen(agent.DefaultEndpoint(m.Store().Dir()), opt)
	if err != nil {
		return err
	}
	logf("keeping the sessions of %s alive; serving %s (pid %d)", m.Store().Dir(), srv.Endpoint(), srv.Info().PID)
	kctx, stopKeepers := context.WithCancel(context.Background())
	go m.KeepAlive(kctx)
	stopWarn := watchWarnings(kctx, m, logf)
	serr := srv.Serve(ctx)
	stopKeepers()
	stopWarn()
	Drain(m, logf)
	logf("stopped")
	return serr
}

// Listen takes a configuration's endpoint. When another app holds it, the
// error says which one runs.
func Listen(ep agent.Endpoint, opt agent.Options) (*agent.Server, error) {
	srv, err := agent.Listen(ep, opt)
	if errors.Is(err, agent.ErrRunning) {
		what := "another Token Desk"
		if info, perr := agent.NewClient(ep).Ping(context.Background()); perr == nil {
			what = fmt.Sprintf("a Token Desk %s (pid %d)", info.Kind, info.PID)
		}
		return nil, runningError{fmt.Sprintf("%s already keeps this configuration's sessions alive (%s); stop it first, or use it: `tokendesk token`, `status` and `refresh` ask it", what, ep)}
	}
	return srv, err
}

// runningError says which app holds the endpoint; it matches agent.ErrRunning.
type runningError struct{ msg string }

func (e runningError) Error() string { return e.msg }
func (e runningError) Unwrap() error { return agent.ErrRunning }

// Drain waits, bounded, until no keeper has a refresh in flight, so a
// stopping process never exits between a rotation and its write.
func Drain(m *desk.Manager, logf func(string, ...any)) {
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	for _, p := range m.List() {
		k, err := m.Keeper(ctx, p.Name)
		if err != nil {
			continue
		}
		if err := k.Drain(ctx); err != nil {
			logf("profile %s: %v", p.Name, err)
		}
	}
}

// watchWarnings reports, once per change, a profile whose refresh token
// expires soon or whose session needs a new login: to logf (stderr, the
// journal under systemd) and to the profile's activity log.
func watchWarnings(ctx context.Context, m *desk.Manager, logf func(string, ...any)) (stop func()) {
	var mu sync.Mutex
	subs := map[string]func(){}
	said := map[string]string{}
	store := &keeper.StorageBackend{Config: m.Store(), Secrets: m.Secrets()}
	watch := func(k *keeper.Keeper) {
		name := k.Profile()
		mu.Lock()
		_, seen := subs[name]
		subs[name] = nil // reserved; Subscribe calls back at once, so mu is not held across it
		mu.Unlock()
		if seen {
			return
		}
		cancel := k.Subscribe(func(st keeper.Status) {
			msg, outcome := warningOf(st)
			mu.Lock()
			changed := said[name] != msg
			said[name] = msg
			mu.Unlock()
			if !changed || msg == "" {
				return
			}
			logf("profile %s: %s", name, msg)
			_ = store.AppendActivity(name, keeper.Activity{Time: time.Now().UTC(), Action: "warning", Trigger: "agent", Outcome: outcome, Message: msg})
		})
		mu.Lock()
		subs[name] = cancel
		mu.Unlock()
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			for _, p := range m.List() {
				if k, err := m.Keeper(ctx, p.Name); err == nil {
					watch(k)
				}
			}
			select {
			case <-ctx.Done():
				close(done)
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, cancel := range subs {
			if cancel != nil {
				cancel()
			}
		}
	}
}

// warningOf is the warning a status calls for ("" when none), and its
// activity-log outcome.
func warningOf(st keeper.Status) (msg, outcome string) {
	switch {
	case st.State == keeper.ReloginRequired:
		return fmt.Sprintf("a new login is needed: %s; %s", oneLine(st.Reason), loginHint(st.Profile)), "relogin_required"
	case st.ExpiringSoon:
		return fmt.Sprintf("the refresh token expires %s: log in again now to avoid an outage (%s)",
			humanWhen(st.RefreshExpiresAt, time.Now()), loginHint(st.Profile)), "expiring_soon"
	}
	return "", ""
}

// SystemdUnit is a systemd user unit running `exe agent`, carrying
// TOKENDESK_CONFIG_DIR when configDir is not empty.
func SystemdUnit(exe, configDir string) string {
	var b strings.Builder
	b.WriteString("# Token Desk agent: keeps DocuSign sessions alive with no window.\n")
	b.WriteString("# Save as ~/.config/systemd/user/tokendesk-agent.service, then:\n")
	b.WriteString("#   systemctl --user daemon-reload && systemctl --user enable --now tokendesk-agent\n")
	b.WriteString("# (and `loginctl enable-linger $USER` to run it without a login session).\n")
	b.WriteString("[Unit]\nDescription=Token Desk agent (keeps DocuSign sessions alive)\n\n[Service]\nType=simple\n")
	if configDir != "" {
		b.WriteString("Environment=" + systemdQuote(storage.EnvConfigDir+"="+configDir) + "\n")
	}
	b.WriteString("ExecStart=" + systemdQuote(exe) + " agent\n")
	b.WriteString("Restart=on-failure\nRestartSec=5s\nTimeoutStopSec=150s\n\n[Install]\nWantedBy=default.target\n")
	return b.String()
}

// systemdQuote quotes one word for a unit file: double quotes with \ and "
// escaped, and % doubled (specifiers).
func systemdQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "%", "%%", "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// NoDisplay returns the sentence to print instead of opening a window when
// this Unix session has no display ("" when it has one, and always on
// macOS and Windows).
func NoDisplay(goos string, getenv func(string) string) string {
	if goos == "darwin" || goos == "windows" || getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != "" {
		return ""
	}
	return "no display to open the Token Desk window on (DISPLAY and WAYLAND_DISPLAY are unset). " +
		"Use the command line instead: `tokendesk status`, `tokendesk token`, `tokendesk login --no-browser`; " +
		"and `tokendesk agent` keeps the sessions alive with no window (`tokendesk agent --systemd-unit` prints a unit to run it)"
}
