package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// browserWait is how long login waits for the browser launcher to report a
// failure (such as xdg-open missing) before it goes on waiting for the
// redirect. A launcher that never exits must not stall the login.
const browserWait = 300 * time.Millisecond

func runLogin(ctx context.Context, args []string, env Env) error {
	var noBrowser, manual *bool
	s, err := withKeeper(ctx, env, "login", args, func(fs *flag.FlagSet) {
		noBrowser = fs.Bool("no-browser", false, "print the consent URL instead of opening the browser")
		manual = fs.Bool("manual", false, "consent in a browser on any computer, then paste the address it ends on")
	})
	if err != nil {
		return err
	}
	if *manual {
		return runLoginManual(ctx, env, s)
	}
	k := s.k
	srv := serverName(k.Status().Environment)
	if remoteWithoutDisplay() && !*noBrowser {
		fmt.Fprintf(env.Stderr, "You are connected over SSH and no display is available, so a browser cannot open here.\n"+
			"Use `%s --manual` to consent in a browser on any computer and paste the final address here.\n", s.loginCommand())
	}
	var launched <-chan error
	err = k.Login(ctx, func(u string) {
		if *noBrowser {
			fmt.Fprintln(env.Stdout, u)
			fmt.Fprintln(env.Stderr, "Open the URL above in a browser on this computer and accept; waiting for the redirect…")
			return
		}
		fmt.Fprintf(env.Stderr, "Opening the consent page of %s in your browser. If it does not open, visit:\n  %s\nWaiting for the redirect…\n", srv, u)
		launched = openBrowser(env, u)
	})
	if launched != nil {
		select { // a launcher that failed late is reported, one still running is left alone
		case lerr := <-launched:
			reportLauncher(env, lerr)
		default:
		}
	}
	if err != nil {
		return err
	}
	reportLogin(env, k)
	return nil
}

// runLoginManual is `login --manual`: the consent URL goes to stdout, the
// person consents in any browser, and pastes on stdin the address the
// browser ended on; its state is checked and its code exchanged.
func runLoginManual(ctx context.Context, env Env, s *session) error {
	p, err := s.m.Resolve(s.k.Profile())
	if err != nil {
		return err
	}
	cl, err := s.m.Client(p)
	if err != nil {
		return err
	}
	in := bufio.NewReader(env.Stdin)
	onURL := func(u string) {
		fmt.Fprintln(env.Stderr, "Open this address in a browser on any computer and accept:")
		fmt.Fprintln(env.Stdout, u)
		fmt.Fprintf(env.Stderr, "The browser then ends on a page that does not load, at an address starting with %s.\n"+
			"Copy that whole address from the address bar, paste it here and press Enter:\n", oauth.RedirectURI(p.RedirectPorts()[0]))
	}
	read := func(ctx context.Context) (string, error) {
		line, err := in.ReadString('\n')
		line = strings.TrimSpace(line)
		if line == "" {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return "", fmt.Errorf("no address on standard input: %w", err)
		}
		return line, nil
	}
	err = s.k.LoginWith(ctx, func(ctx context.Context) (*oauth.Session, error) { return cl.LoginManual(ctx, onURL, read) })
	if err != nil {
		return err
	}
	reportLogin(env, s.k)
	return nil
}

// openBrowser starts the browser launcher without letting it block the
// login: a failure reported within browserWait is printed at once; the
// returned channel delivers the launcher's result if it comes later.
func openBrowser(env Env, u string) <-chan error {
	done := make(chan error, 1)
	go func() { done <- env.OpenBrowser(u) }()
	select {
	case err := <-done:
		reportLauncher(env, err)
		return nil
	case <-time.After(browserWait):
		return done
	}
}

func reportLauncher(env Env, err error) {
	if err != nil {
		fmt.Fprintf(env.Stderr, "Could not open a browser (%s); open the URL above by hand.\n", oneLine(err.Error()))
	}
}

// reportLogin prints who logged in, or, when userinfo failed, that the user
// and accounts could not be read and why.
func reportLogin(env Env, k *keeper.Keeper) {
	st := k.Status()
	now := time.Now()
	where := fmt.Sprintf("profile %s, %s", st.Profile, st.Environment.Label())
	tail := fmt.Sprintf("Refresh token valid until %s (%s).", humanWhen(st.RefreshExpiresAt, now), extendedWords(st.Session))
	if u := st.Session.User; u != nil {
		fmt.Fprintf(env.Stdout, "Logged in as %s <%s> (%s). %s\n", oauth.CleanText(u.Name), oauth.CleanText(u.Email), where, tail)
		return
	}
	fmt.Fprintf(env.Stdout, "Logged in (%s). %s\n", where, tail)
	why := "no reason was recorded"
	for _, a := range k.Activity() {
		if a.Action == "userinfo" { // newest first: this login's attempt
			if a.Outcome != "ok" {
				why = oauth.CleanText(oneLine(a.Message))
			}
			break
		}
	}
	fmt.Fprintf(env.Stderr, "Warning: the user and accounts could not be read from %s: %s.\n"+
		"The tokens work, but `tokendesk accounts` and the account variables of `tokendesk exec` stay empty until a login reads them.\n",
		serverName(st.Environment), why)
}

func extendedWords(s *oauth.Session) string {
	if s.Extended() {
		return "extended: every refresh renews it"
	}
	return "not extended: it ends on that date whatever happens; log in with the extended scope to avoid this"
}
