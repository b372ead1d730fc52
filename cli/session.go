package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// session is one command's chosen profile: its manager and loaded keeper.
type session struct {
	m *desk.Manager
	k *keeper.Keeper
}

// withKeeper parses a session command's flags (-p/--profile plus whatever
// setup adds), refuses positional arguments, and loads the chosen profile's
// keeper.
func withKeeper(ctx context.Context, env Env, name string, args []string, setup func(*flag.FlagSet)) (*session, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	profile := profileFlag(fs)
	if setup != nil {
		setup(fs)
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, usageError{fmt.Sprintf("%s takes no arguments, got %q (see tokendesk help)", name, pos[0])}
	}
	s, err := openSession(ctx, env, *profile)
	return s, withCommand(err, name)
}

// withCommand adds to "several profiles exist" the exact command to run
// with the first of them.
func withCommand(err error, command string) error {
	var ae *desk.AmbiguousProfileError
	if errors.As(err, &ae) && len(ae.Names) > 0 {
		return fmt.Errorf("%w, e.g. `tokendesk %s -p %s`", err, command, ae.Names[0])
	}
	return err
}

// openSession loads the keeper of a profile ("" for the only one).
func openSession(ctx context.Context, env Env, profile string) (*session, error) {
	m, err := openManager(env)
	if err != nil {
		return nil, err
	}
	k, err := m.Keeper(ctx, profile)
	if err != nil {
		return nil, err
	}
	return &session{m: m, k: k}, nil
}

// drainWait bounds how long a command waits, on its way out, for a refresh
// in flight to be saved: a little over the HTTP timeout of one refresh.
const drainWait = 40 * time.Second

// drain waits until no refresh of this profile is in flight in this
// process, so that a signal (Ctrl-C, SIGTERM) that ended the command's
// context never drops a rotated refresh token whose answer is on its way.
func (s *session) drain() {
	ctx, cancel := context.WithTimeout(context.Background(), drainWait)
	defer cancel()
	_ = s.k.Drain(ctx)
}

// loginCommand is the exact command that logs this profile in again.
func (s *session) loginCommand() string { return loginCommand(s.k.Profile()) }

func loginCommand(profile string) string { return "tokendesk login -p " + profile }

// loginHint is the advice that ends every "a login is needed" message: the
// exact command, and over SSH without a display, its --manual form.
func loginHint(profile string) string {
	h := "run `" + loginCommand(profile) + "`"
	if remoteWithoutDisplay() {
		h += " (over SSH without a display: `" + loginCommand(profile) + " --manual`)"
	}
	return h
}

// needsLoginErr turns the keeper's "signed out" and "refresh token dead"
// errors into a needsLogin (exit 4) whose advice names this profile; other
// errors pass through.
func (s *session) needsLoginErr(err error) error {
	p := s.k.Profile()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keeper.ErrSignedOut) || s.k.Status().State == keeper.SignedOut:
		return needsLogin{fmt.Sprintf("profile %q is not logged in; %s", p, loginHint(p))}
	case oauth.IsRelogin(err):
		return needsLogin{fmt.Sprintf("%s; %s", oneLine(err.Error()), loginHint(p))}
	}
	return err
}

// remoteWithoutDisplay reports an SSH session with no graphical display,
// where a browser cannot open on this machine.
func remoteWithoutDisplay() bool {
	return os.Getenv("SSH_CONNECTION") != "" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == ""
}

// serverName is how CLI messages name a profile's account server:
// "DocuSign" for DocuSign's own servers (and the demo default), "the
// account server (URL)" for a custom base URL.
func serverName(e oauth.Environment) string {
	if e == "" {
		return "DocuSign"
	}
	return e.ServerName()
}

func runRefresh(ctx context.Context, args []string, env Env) error {
	s, err := withKeeper(ctx, env, "refresh", args, nil)
	if err != nil {
		return err
	}
	k := s.k
	defer s.drain()
	if k.Status().State == keeper.SignedOut {
		return s.needsLoginErr(keeper.ErrSignedOut)
	}
	if err := k.Refresh(ctx); err != nil {
		return s.needsLoginErr(err)
	}
	st := k.Status()
	now := time.Now()
	fmt.Fprintf(env.Stdout, "Refreshed: access token valid until %s; refresh token valid until %s (%s).\n",
		humanWhen(accessExpiry(st), now), humanWhen(st.RefreshExpiresAt, now), expirySourceWords(st.RefreshExpirySource))
	return nil
}

func runLogout(ctx context.Context, args []string, env Env) error {
	s, err := withKeeper(ctx, env, "logout", args, nil)
	if err != nil {
		return err
	}
	if err := s.k.Logout(ctx); err != nil {
		return err
	}
	srv := serverName(s.k.Status().Environment)
	how := "to revoke it, open your DocuSign profile → Connected Apps."
	if srv != "DocuSign" {
		how = "revoke it on that server if you need to."
	}
	fmt.Fprintf(env.Stdout, "Forgot the tokens of profile %q on this computer.\nThis does not revoke consent at %s: %s\n", s.k.Profile(), srv, how)
	return nil
}

// openManager opens the profiles and prints, once, what opening them did or
// could not do that the user should know (a config dir made private,
// keyring entries not moved).
func openManager(env Env) (*desk.Manager, error) {
	m, err := env.Manager()
	if err != nil {
		return nil, err
	}
	if st := m.Store(); st != nil {
		for _, w := range st.Warnings() {
			fmt.Fprintf(env.Stderr, "tokendesk: warning: %s\n", oneLine(w))
		}
	}
	return m, nil
}
