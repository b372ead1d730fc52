package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// withKeeper parses a session command's flags (-p/--profile plus whatever
// setup adds) and loads the chosen profile's keeper.
func withKeeper(ctx context.Context, env Env, name string, args []string, setup func(*flag.FlagSet)) (*keeper.Keeper, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	profile := profileFlag(fs)
	if setup != nil {
		setup(fs)
	}
	if _, err := parseArgs(fs, args); err != nil {
		return nil, err
	}
	m, err := env.Manager()
	if err != nil {
		return nil, err
	}
	return m.Keeper(ctx, *profile)
}

func runLogin(ctx context.Context, args []string, env Env) error {
	var noBrowser *bool
	k, err := withKeeper(ctx, env, "login", args, func(fs *flag.FlagSet) {
		noBrowser = fs.Bool("no-browser", false, "print the consent URL instead of opening the browser")
	})
	if err != nil {
		return err
	}
	err = k.Login(ctx, func(u string) {
		if *noBrowser {
			fmt.Fprintln(env.Stdout, u)
			fmt.Fprintln(env.Stderr, "Open the URL above in a browser on this computer and accept; waiting for the redirect…")
			return
		}
		fmt.Fprintf(env.Stderr, "Opening the DocuSign consent page in your browser. If it does not open, visit:\n  %s\nWaiting for the redirect…\n", u)
		if err := env.OpenBrowser(u); err != nil {
			fmt.Fprintf(env.Stderr, "Could not open a browser (%v); open the URL above by hand.\n", err)
		}
	})
	if err != nil {
		return err
	}
	st := k.Status()
	who := "DocuSign"
	if u := st.Session.User; u != nil {
		who = fmt.Sprintf("%s <%s>", u.Name, u.Email)
	}
	fmt.Fprintf(env.Stdout, "Logged in as %s (profile %s, %s). Refresh token valid until %s (%s).\n",
		who, st.Profile, st.Environment.Label(), st.RefreshExpiresAt.Format(time.RFC1123), extendedWords(st.Session))
	return nil
}

func extendedWords(s *oauth.Session) string {
	if s.Extended() {
		return "extended: every refresh renews it"
	}
	return "not extended: it ends on that date whatever happens; log in with the extended scope to avoid this"
}

func runToken(ctx context.Context, args []string, env Env) error {
	var minValid *time.Duration
	k, err := withKeeper(ctx, env, "token", args, func(fs *flag.FlagSet) {
		minValid = fs.Duration("min-valid", 5*time.Minute, "refresh first if the token expires sooner than this")
	})
	if err != nil {
		return err
	}
	tok, err := k.Token(ctx, *minValid)
	if err != nil {
		if st := k.Status(); st.State == keeper.SignedOut {
			return needsLogin{fmt.Sprintf("profile %q is not logged in; run `tokendesk login -p %s`", st.Profile, st.Profile)}
		}
		return err
	}
	_, err = fmt.Fprintln(env.Stdout, tok)
	return err
}

func runRefresh(ctx context.Context, args []string, env Env) error {
	k, err := withKeeper(ctx, env, "refresh", args, nil)
	if err != nil {
		return err
	}
	if k.Status().State == keeper.SignedOut {
		return needsLogin{fmt.Sprintf("profile %q is not logged in; run `tokendesk login -p %s`", k.Profile(), k.Profile())}
	}
	if err := k.Refresh(ctx); err != nil {
		return err
	}
	st := k.Status()
	fmt.Fprintf(env.Stdout, "Refreshed: access token valid until %s; refresh token valid until %s (%s).\n",
		st.Session.AccessExpiresAt.Format(time.RFC1123), st.RefreshExpiresAt.Format(time.RFC1123), st.RefreshExpirySource)
	return nil
}

func runLogout(ctx context.Context, args []string, env Env) error {
	k, err := withKeeper(ctx, env, "logout", args, nil)
	if err != nil {
		return err
	}
	if err := k.Logout(ctx); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Forgot the tokens of profile %q on this computer.\nThis does not revoke consent at DocuSign: to revoke it, open your DocuSign profile → Connected Apps.\n", k.Profile())
	return nil
}
