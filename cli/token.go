package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/internal/tokenfmt"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// defaultMinValid is --min-valid's default for token and exec.
const defaultMinValid = 5 * time.Minute

// tokenFor gets a token valid for at least minValid (refreshing first if
// needed) and what the formats show with it (see presentToken).
func (s *session) tokenFor(ctx context.Context, env Env, minValid time.Duration) (tokenfmt.Token, error) {
	defer s.drain()
	tok, err := s.k.Token(ctx, minValid)
	if err != nil && tok == "" {
		return tokenfmt.Token{}, s.needsLoginErr(err)
	}
	return presentToken(env, tok, s.k.Status(), minValid, err)
}

// presentToken checks a token handed out for st's profile and gathers what
// the formats show with it. A token with characters outside the printable
// token set is refused. When the token's whole lifetime is shorter than
// minValid, it is still returned and a warning saying so goes to stderr:
// warn, the keeper's own warning if it gave one, or one made here. The
// direct path and the running app's path both use it.
func presentToken(env Env, tok string, st keeper.Status, minValid time.Duration, warn error) (tokenfmt.Token, error) {
	t := tokenfmt.Token{AccessToken: tok, ExpiresAt: accessExpiry(st), Profile: st.Profile}
	if st.Session != nil {
		if a, ok := st.Session.User.DefaultAccount(); ok {
			t.AccountID, t.BaseURI = oauth.CleanText(a.AccountID), oauth.CleanText(a.BaseURI)
		}
	}
	if !oauth.PrintableToken(tok) {
		return tokenfmt.Token{}, fmt.Errorf("%s returned an access token with characters a token cannot contain; "+
			"it is not printed, so it cannot drive your terminal. Run `tokendesk refresh -p %s`; if this persists, tell the server's administrator",
			serverName(st.Environment), st.Profile)
	}
	left := time.Until(t.ExpiresAt)
	switch {
	case warn != nil: // a token came with a warning (e.g. its lifetime is too short)
		fmt.Fprintf(env.Stderr, "tokendesk: warning: %s\n", oneLine(warn.Error()))
	case !t.ExpiresAt.IsZero() && left < minValid:
		fmt.Fprintf(env.Stderr, "tokendesk: warning: the token is valid for only %s, less than the --min-valid %s asked: "+
			"%s issues access tokens that live %s, so no refresh can meet it\n",
			humanize.Duration(left), humanize.Duration(minValid), serverName(st.Environment), lifetimeWords(st))
	}
	return t, nil
}

// lifetimeWords is the current access token's lifetime, or "this short"
// when it is unknown.
func lifetimeWords(st keeper.Status) string {
	issued := st.AccessIssuedAt
	if issued.IsZero() && st.Session != nil {
		issued = st.Session.AccessIssuedAt
	}
	exp := accessExpiry(st)
	if issued.IsZero() || exp.IsZero() || !exp.After(issued) {
		return "this short"
	}
	return humanize.Duration(exp.Sub(issued))
}

// accessExpiry is when the current access token expires (zero if unknown).
func accessExpiry(st keeper.Status) time.Time {
	if !st.AccessExpiresAt.IsZero() {
		return st.AccessExpiresAt
	}
	if st.Session != nil {
		return st.Session.AccessExpiresAt
	}
	return time.Time{}
}

func runToken(ctx context.Context, args []string, env Env) error {
	var minValid *time.Duration
	var format *string
	s, err := withKeeper(ctx, env, "token", args, func(fs *flag.FlagSet) {
		minValid = fs.Duration("min-valid", defaultMinValid, "refresh first if the token expires sooner than this")
		format = fs.String("format", string(tokenfmt.Raw), "output format: raw, header, env or json")
	})
	if err != nil {
		return err
	}
	f, err := tokenfmt.Parse(*format)
	if err != nil {
		return usageError{"--format: " + err.Error()}
	}
	t, err := s.tokenFor(ctx, env, *minValid)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(env.Stdout, tokenfmt.Render(f, t))
	return err
}

// runExec runs a command with the token and the default account in its
// environment, and returns the command's exit code. The token is never put
// on a command line. Signals that reach tokendesk are passed to the command.
func runExec(ctx context.Context, args []string, env Env) (int, error) {
	fs := flag.NewFlagSet("exec", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	profile := profileFlag(fs)
	minValid := fs.Duration("min-valid", defaultMinValid, "the token stays valid for at least this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, err
		}
		return 0, usageError{err.Error()}
	}
	argv := fs.Args()
	if len(argv) == 0 {
		return 0, usageError{"exec needs a command: tokendesk exec [-p NAME] [--min-valid D] -- CMD [ARGS…]"}
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		// Before any token is fetched, and with the code a shell uses.
		fmt.Fprintf(env.Stderr, "tokendesk: exec: cannot run %q: %s\n", argv[0], oneLine(err.Error()))
		return ExitCommandNotFound, nil
	}
	s, err := openSession(ctx, env, *profile)
	if err != nil {
		return 0, withCommand(err, "exec")
	}
	t, err := s.tokenFor(ctx, env, *minValid)
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env = append(withoutVars(os.Environ()), tokenfmt.Vars(t)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = env.Stdin, env.Stdout, env.Stderr
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("exec: start %s: %w", argv[0], err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				_ = cmd.Process.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil // as a shell reports it
		}
		return ee.ExitCode(), nil
	}
	return 0, fmt.Errorf("exec: %s: %w", argv[0], err)
}

// withoutVars drops the variables exec sets from an environment, so a stale
// account from the parent cannot survive next to a new token.
func withoutVars(environ []string) []string {
	out := environ[:0:0]
	for _, e := range environ {
		name, _, _ := strings.Cut(e, "=")
		if name != tokenfmt.VarAccessToken && name != tokenfmt.VarAccountID && name != tokenfmt.VarBaseURI {
			out = append(out, e)
		}
	}
	return out
}
