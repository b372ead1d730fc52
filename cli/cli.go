// Package cli implements the tokendesk command line: profile management,
// login, token, status, refresh, logout and the local sandbox. The window is
// opened by main; everything here works without a display.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pkg/browser"
	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
	"github.com/tokendesk/tokendesk/storage"
)

// Exit codes: part of the interface scripts rely on.
const (
	ExitOK         = 0
	ExitError      = 1
	ExitUsage      = 2
	ExitNeedsLogin = 4
	// ExitCommandNotFound is exec's code when CMD cannot be found or run,
	// as a shell reports it.
	ExitCommandNotFound = 127
)

// Env is what a command may touch of the outside world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// OpenBrowser opens a URL in the system browser.
	OpenBrowser func(url string) error
	// Manager opens the profiles, config file and keyring.
	Manager func() (*desk.Manager, error)
	// AgentFirst makes token, status and refresh ask the running app of the
	// process's configuration first (cli/agentpath.go).
	AgentFirst bool
}

// DefaultEnv uses the process's standard streams, the system browser (via
// xdg-open and friends) and the user's config dir and OS keyring.
func DefaultEnv() Env {
	browser.Stdout = os.Stderr // keep stdout for the command's own output
	pending := func(msg string) { fmt.Fprintf(os.Stderr, "tokendesk: %s\n", oneLine(msg)) }
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, OpenBrowser: browser.OpenURL,
		Manager: func() (*desk.Manager, error) { return openDesk(pending, false) }, AgentFirst: true}
}

// OpenManager opens the config dir ($TOKENDESK_CONFIG_DIR or the user config
// dir) and the OS keyring namespaced to it, for a long-running process (the
// window): a rotated refresh token whose keyring write fails is held in
// memory and retried for as long as it runs.
func OpenManager() (*desk.Manager, error) { return openDesk(nil, true) }

// openDesk opens the manager. Its keepers tell onPendingWrite (when not nil)
// that a rotated refresh token is held while its keyring write is retried;
// a short-lived command hands such a token to the running app, a
// longRunning one holds it itself.
func openDesk(onPendingWrite func(msg string), longRunning bool) (*desk.Manager, error) {
	dir, _, err := storage.DefaultDir()
	if err != nil {
		return nil, err
	}
	store, secrets, err := storage.OpenDir(dir) // store.Warnings() holds what the user should be told
	if err != nil {
		return nil, err
	}
	return desk.NewManager(desk.Options{Store: store, Secrets: secrets, HandOff: handOffToApp(dir),
		OnPendingWrite: onPendingWrite, LongRunning: longRunning}), nil
}

// IsWindow reports whether args ask for the window rather than a command,
// and whether in demo mode.
func IsWindow(args []string) (window, demo bool) {
	switch {
	case len(args) == 0:
		return true, false
	case len(args) == 1 && (args[0] == "--demo" || args[0] == "-demo"):
		return true, true
	}
	return false, false
}

// usage is the help text; ENVS stands for the named environments.
var usage = strings.ReplaceAll(usageText, "ENVS", oauth.EnvironmentNames("|"))

const usageText = `Usage:
  tokendesk                          open the window
  tokendesk --demo                   open the window against the built-in sandbox (demo profile)
  tokendesk --background             start with the window hidden (tray if available); sessions kept alive
  tokendesk profile add NAME --integration-key KEY [--env ENVS|URL] [--secret-stdin]
                    [--ports 8765,8766] [--scopes "signature extended"] [--refresh-lifetime 720h]
  tokendesk profile list | remove NAME
  tokendesk login    [-p NAME] [--no-browser | --manual]
  tokendesk token    [-p NAME] [--min-valid 5m] [--format raw|header|env|json]
  tokendesk accounts [-p NAME] [--json]
  tokendesk exec     [-p NAME] [--min-valid 5m] -- CMD [ARGS...]
  tokendesk status   [-p NAME] [--json]
  tokendesk refresh  [-p NAME]
  tokendesk logout   [-p NAME]
  tokendesk agent    [--systemd-unit]   keep every session alive with no window (no display needed)
  tokendesk autostart on|off|status  start Token Desk in the background at desktop login
  tokendesk sandbox  [--addr 127.0.0.1:PORT] [--integration-key K] [--secret S] [--redirect-uri URI]... [--auto-accept]

login --manual: for SSH sessions and machines without a browser. Prints the consent URL; consent in any
  browser on any computer, then paste the address it ends on (http://127.0.0.1:PORT/callback?...) and press Enter.
token --format: raw (the token, the default), header (Authorization: Bearer ...), env (export lines for
  DOCUSIGN_ACCESS_TOKEN, DOCUSIGN_ACCOUNT_ID, DOCUSIGN_BASE_URI), json (access_token, expires_at, profile,
  account_id, base_uri).
token/exec --min-valid: refresh first if the token expires sooner. When the server's tokens live shorter than
  asked, the token is still given with a warning on stderr (exit 0); an expired token is never given.
exec runs CMD with DOCUSIGN_ACCESS_TOKEN, DOCUSIGN_ACCOUNT_ID and DOCUSIGN_BASE_URI (the default account) in
  its environment, never on a command line, passes signals on to it and exits with CMD's exit code
  (128+N when a signal N ended it, 127 when CMD cannot be run).

Exit codes: 0 success, 4 a login is needed (signed out, refresh token dead), 1 any other error, 2 a usage mistake.
Environment: TOKENDESK_CONFIG_DIR overrides the config directory (and isolates the keyring entries);
  TOKENDESK_NO_AGENT=1 makes token, status and refresh skip the running app and use the keyring directly.
`

// Run executes one command and returns the process exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return ExitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "profile":
		err = runProfile(ctx, rest, env)
	case "login":
		err = runLogin(ctx, rest, env)
	case "token":
		err = agentFirst(ctx, cmd, rest, env, runToken) // agentFirst (cli/agentpath.go) asks the running app first
	case "status":
		err = agentFirst(ctx, cmd, rest, env, runStatus)
	case "accounts":
		err = runAccounts(ctx, rest, env)
	case "exec":
		code, err := runExec(ctx, rest, env)
		if err != nil {
			return exitCode(err, env)
		}
		return code
	case "refresh":
		err = agentFirst(ctx, cmd, rest, env, runRefresh)
	case "logout":
		err = runLogout(ctx, rest, env)
	case "agent":
		err = runAgent(ctx, rest, env)
	case "autostart":
		err = runAutostart(ctx, rest, env)
	case "sandbox":
		err = sandbox.RunCommand(ctx, rest, env.Stdout, env.Stderr)
		if errors.Is(err, sandbox.ErrUsage) {
			return ExitUsage // already reported, with the flags
		}
	case "help", "-h", "--help", "-help":
		fmt.Fprint(env.Stdout, usage)
		return ExitOK
	default:
		fmt.Fprintf(env.Stderr, "tokendesk: unknown command %q\n\n%s", cmd, usage)
		return ExitUsage
	}
	return exitCode(err, env)
}

// usageError marks a command-line mistake (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// needsLogin marks an outcome that asks for a login (exit 4) with a message.
type needsLogin struct{ msg string }

func (e needsLogin) Error() string { return e.msg }

func exitCode(err error, env Env) int {
	if err == nil {
		return ExitOK
	}
	var ue usageError
	var nl needsLogin
	switch {
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "tokendesk: %s\n", ue.msg)
		return ExitUsage
	case errors.As(err, &nl):
		fmt.Fprintf(env.Stderr, "tokendesk: %s\n", nl.msg)
		return ExitNeedsLogin
	case errors.Is(err, keeper.ErrSignedOut):
		fmt.Fprintf(env.Stderr, "tokendesk: %s\n", oneLine(err.Error()))
		return ExitNeedsLogin
	case oauth.IsRelogin(err):
		fmt.Fprintf(env.Stderr, "tokendesk: %s; run `tokendesk login`\n", oneLine(err.Error()))
		return ExitNeedsLogin
	case errors.Is(err, context.Canceled):
		msg := "interrupted"
		var ie *keeper.InterruptedError
		if errors.As(err, &ie) {
			msg = ie.Error()
		}
		fmt.Fprintf(env.Stderr, "tokendesk: %s\n", msg)
		return ExitError
	}
	fmt.Fprintf(env.Stderr, "tokendesk: %s\n", oneLine(err.Error()))
	return ExitError
}

// oneLine folds a message onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseArgs parses flags that may stand before or after positional
// arguments ("profile add NAME --integration-key K").
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// profileFlag registers -p/--profile on fs.
func profileFlag(fs *flag.FlagSet) *string {
	p := fs.String("p", "", "profile name (may be omitted when there is one profile)")
	fs.StringVar(p, "profile", "", "profile name")
	return p
}
