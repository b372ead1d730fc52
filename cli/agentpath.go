package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tokendesk/tokendesk/agent"
	"github.com/tokendesk/tokendesk/internal/tokenfmt"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// EnvNoAgent, set to 1, makes token, status and refresh take the direct
// path (file lock and keyring) without asking a running Token Desk.
const EnvNoAgent = "TOKENDESK_NO_AGENT"

// agentClient returns the client of the running app's endpoint for the
// process's configuration, or false when the direct path is forced or env
// does not ask for it (tests with their own Manager).
func agentClient(env Env) (*agent.Client, bool) {
	if os.Getenv(EnvNoAgent) == "1" || !env.AgentFirst {
		return nil, false
	}
	dir, _, err := storage.DefaultDir()
	if err != nil {
		return nil, false
	}
	return agent.NewClient(agent.DefaultEndpoint(dir)), true
}

// agentFirst runs token, status or refresh through the running app when
// one answers for this configuration, and through direct otherwise (none
// runs, its socket is stale, it did not answer within agent.HelloTimeout,
// or the arguments are not ones this path knows: direct reports them).
func agentFirst(ctx context.Context, cmd string, args []string, env Env, direct func(context.Context, []string, Env) error) error {
	cl, ok := agentClient(env)
	if !ok {
		return direct(ctx, args, env)
	}
	var handled bool
	var err error
	switch cmd {
	case "token":
		handled, err = tokenViaAgent(ctx, cl, args, env)
	case "status":
		handled, err = statusViaAgent(ctx, cl, args, env)
	case "refresh":
		handled, err = refreshViaAgent(ctx, cl, args, env)
	}
	if !handled {
		return direct(ctx, args, env)
	}
	return err
}

// agentFlags parses a session command's flags as the direct path does; ok
// is false on any mistake, which the direct path then reports.
func agentFlags(name string, args []string, setup func(*flag.FlagSet)) (profile string, ok bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	p := profileFlag(fs)
	if setup != nil {
		setup(fs)
	}
	pos, err := parseArgs(fs, args)
	return *p, err == nil && len(pos) == 0
}

// callAgent sends one request. handled is false when no app answered, or
// when the app went away before answering: the direct path is safe then,
// since every refresh runs under the machine-wide lock.
func callAgent(ctx context.Context, cl *agent.Client, req agent.Request) (resp agent.Response, handled bool, err error) {
	resp, err = cl.Call(ctx, req)
	var we *agent.Error
	switch {
	case err == nil, errors.As(err, &we) && !errors.Is(err, agent.ErrNoServer):
		return resp, true, err
	case ctx.Err() != nil:
		return resp, true, ctx.Err()
	}
	return resp, false, nil
}

// agentErr gives an app's failure the direct path's exit code and advice.
func agentErr(profile string, st *keeper.Status, err error) error {
	if st != nil && st.Profile != "" {
		profile = st.Profile
	}
	switch {
	case errors.Is(err, keeper.ErrSignedOut):
		return needsLogin{fmt.Sprintf("profile %q is not logged in; %s", profile, loginHint(profile))}
	case oauth.IsRelogin(err):
		return needsLogin{fmt.Sprintf("%s; %s", oneLine(err.Error()), loginHint(profile))}
	}
	return err
}

func tokenViaAgent(ctx context.Context, cl *agent.Client, args []string, env Env) (bool, error) {
	minValid, format := defaultMinValid, string(tokenfmt.Raw)
	profile, ok := agentFlags("token", args, func(fs *flag.FlagSet) {
		fs.DurationVar(&minValid, "min-valid", defaultMinValid, "")
		fs.StringVar(&format, "format", string(tokenfmt.Raw), "")
	})
	f, ferr := tokenfmt.Parse(format)
	if !ok || ferr != nil {
		return false, nil
	}
	resp, handled, err := callAgent(ctx, cl, agent.Request{Op: agent.OpToken, Profile: profile, MinValid: minValid.String()})
	if !handled || err != nil {
		return handled, agentErr(profile, resp.Status, err)
	}
	if resp.Status == nil || resp.Token == "" {
		return false, nil
	}
	t, err := presentToken(env, resp.Token, *resp.Status, minValid, nil) // cli/token.go
	if err != nil {
		return true, err
	}
	_, err = fmt.Fprintln(env.Stdout, tokenfmt.Render(f, t))
	return true, err
}

func statusViaAgent(ctx context.Context, cl *agent.Client, args []string, env Env) (bool, error) {
	var asJSON bool
	profile, ok := agentFlags("status", args, func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "") })
	if !ok {
		return false, nil
	}
	resp, handled, err := callAgent(ctx, cl, agent.Request{Op: agent.OpStatus, Profile: profile})
	if !handled || err != nil {
		return handled, agentErr(profile, resp.Status, err)
	}
	if resp.Status == nil {
		return false, nil
	}
	return true, printStatus(env, *resp.Status, asJSON, resp.Info)
}

// printStatus prints a status (as runStatus does) with who keeps it alive,
// and returns the exit-4 error when a login is needed.
func printStatus(env Env, st keeper.Status, asJSON bool, by *agent.Info) error {
	if asJSON {
		j := NewStatusJSON(st)
		j.KeptAliveBy = by
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(j); err != nil {
			return err
		}
	} else {
		writeStatus(env.Stdout, st, time.Now())
		writeKeptAlive(env.Stdout, st, by, time.Now())
	}
	switch st.State {
	case keeper.SignedOut:
		return needsLogin{fmt.Sprintf("profile %q is not logged in; %s", st.Profile, loginHint(st.Profile))}
	case keeper.ReloginRequired:
		return needsLogin{fmt.Sprintf("profile %q needs a new login: %s; %s", st.Profile, oauth.CleanText(st.Reason), loginHint(st.Profile))}
	}
	return nil
}

// keptAlive asks the running app who it is, or nil when none answers. The
// direct path's status uses it for kept_alive_by.
func keptAlive(ctx context.Context) *agent.Info {
	dir, _, err := storage.DefaultDir()
	if err != nil {
		return nil
	}
	info, err := agent.NewClient(agent.DefaultEndpoint(dir)).Ping(ctx)
	if err != nil {
		return nil
	}
	return &info
}

// writeKeptAlive says in human status what keeps the session alive, or,
// when nothing does, that nothing refreshes it and when it dies.
func writeKeptAlive(w io.Writer, st keeper.Status, by *agent.Info, now time.Time) {
	row := func(k, v string) { fmt.Fprintf(w, "%-15s %s\n", k+":", v) }
	if by != nil {
		what := "the Token Desk window"
		if by.Kind == agent.KindAgent {
			what = "`tokendesk agent`"
		}
		row("Kept alive by", fmt.Sprintf("%s (pid %d), running since %s", what, by.PID, humanWhen(by.Since, now)))
		return
	}
	if st.Session == nil || st.State == keeper.SignedOut || st.State == keeper.ReloginRequired {
		return
	}
	dies := "when its refresh token expires"
	if !st.RefreshExpiresAt.IsZero() {
		dies = "on " + humanWhen(st.RefreshExpiresAt, now)
	}
	row("Kept alive by", "NOTHING — no Token Desk window or agent runs for this configuration, so nothing refreshes this session. "+
		"If nothing runs, it dies "+dies+". Open `tokendesk`, run `tokendesk agent`, or turn on `tokendesk autostart on`.")
}

func refreshViaAgent(ctx context.Context, cl *agent.Client, args []string, env Env) (bool, error) {
	profile, ok := agentFlags("refresh", args, nil)
	if !ok {
		return false, nil
	}
	resp, handled, err := callAgent(ctx, cl, agent.Request{Op: agent.OpRefresh, Profile: profile})
	if !handled || err != nil {
		return handled, agentErr(profile, resp.Status, err)
	}
	if resp.Status == nil {
		return false, nil
	}
	st, now := *resp.Status, time.Now()
	fmt.Fprintf(env.Stdout, "Refreshed: access token valid until %s; refresh token valid until %s (%s).\n",
		humanWhen(accessExpiry(st), now), humanWhen(st.RefreshExpiresAt, now), expirySourceWords(st.RefreshExpirySource))
	return true, nil
}

// handOffToApp is keeper.Options.HandOff for command-line processes: a
// rotated session this process could not store goes to the running app of
// the configuration, which stores it or holds it until it can. It fails
// when no other process answers.
func handOffToApp(dir string) func(ctx context.Context, profile string, s *oauth.Session) error {
	return func(ctx context.Context, profile string, s *oauth.Session) error {
		cl := agent.NewClient(agent.DefaultEndpoint(dir))
		info, err := cl.Ping(ctx)
		if err != nil {
			return err
		}
		if info.PID == os.Getpid() {
			return errors.New("this process is the running Token Desk: nobody else to hand the session to")
		}
		_, err = cl.Call(ctx, agent.Request{Op: agent.OpHandOff, Profile: profile,
			HandOff: &agent.HandOff{Session: s, AccessToken: s.AccessToken, RefreshToken: s.RefreshToken}})
		if err != nil {
			return fmt.Errorf("hand the rotated session to the running Token Desk (pid %d): %w", info.PID, err)
		}
		return nil
	}
}
