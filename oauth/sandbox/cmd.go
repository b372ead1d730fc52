package sandbox

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// DefaultCommandAddr is the listen address of RunCommand without --addr.
const DefaultCommandAddr = "127.0.0.1:8400"

// StringList is a repeatable string flag: each use appends a value.
type StringList []string

// String returns the values joined by commas.
func (l *StringList) String() string { return strings.Join(*l, ",") }

// Set appends one value.
func (l *StringList) Set(v string) error {
	if v == "" {
		return errors.New("empty value")
	}
	*l = append(*l, v)
	return nil
}

// ErrUsage is wrapped by RunCommand's errors for a usage mistake (an unknown
// flag, an extra argument), which it has already reported on stderr.
var ErrUsage = errors.New("usage mistake")

// RunCommand runs a sandbox server standalone, as a command-line tool would:
// it parses args (flags only, without the program name), starts the server,
// prints how to use it to stdout, logs requests to stderr and serves until
// ctx is cancelled, then shuts down gracefully. Flag errors are reported on
// stderr and returned (flag.ErrHelp for -h).
//
// Flags: --addr (default 127.0.0.1:8400, loopback only), --integration-key,
// --secret (absent = public client with PKCE), --redirect-uri (repeatable),
// --auto-accept, --access-ttl, --refresh-ttl, --code-ttl.
func RunCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		opts      Options
		redirects StringList
	)
	fs.StringVar(&opts.Addr, "addr", DefaultCommandAddr, "listen `address` (must be loopback)")
	fs.StringVar(&opts.IntegrationKey, "integration-key", DefaultIntegrationKey, "integration `key` (client_id) to accept")
	fs.StringVar(&opts.Secret, "secret", "", "client `secret`; absent = public client that must use PKCE")
	fs.Var(&redirects, "redirect-uri", "registered redirect `URI` (repeatable; default "+strings.Join(DefaultRedirectURIs, ", ")+")")
	fs.BoolVar(&opts.AutoAccept, "auto-accept", false, "skip the consent page and approve every login")
	fs.DurationVar(&opts.AccessTTL, "access-ttl", DefaultAccessTTL, "access token `lifetime`")
	fs.DurationVar(&opts.RefreshTTL, "refresh-ttl", DefaultRefreshTTL, "refresh token `lifetime`")
	fs.DurationVar(&opts.CodeTTL, "code-ttl", DefaultCodeTTL, "authorization code `lifetime`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: sandbox [flags]\n\nRuns a local DocuSign-compatible OAuth server for testing Token Desk.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrUsage, err) // the flag package has printed it
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("sandbox: unexpected argument %q", fs.Arg(0))
		fmt.Fprintln(stderr, err)
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	for name, d := range map[string]time.Duration{"access-ttl": opts.AccessTTL, "refresh-ttl": opts.RefreshTTL, "code-ttl": opts.CodeTTL} {
		if d <= 0 {
			err := fmt.Errorf("sandbox: --%s must be positive", name)
			fmt.Fprintln(stderr, err)
			return err
		}
	}
	opts.RedirectURIs = redirects
	var logMu sync.Mutex
	opts.Logf = func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(stderr, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}

	s, err := NewServer(opts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return err
	}
	defer s.Close()
	secret := "none (public client, PKCE)"
	if opts.Secret != "" {
		secret = opts.Secret
	}
	consent := "consent page in the browser"
	if opts.AutoAccept {
		consent = "auto-accept (no consent page)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "DocuSign sandbox listening on %s\n", s.URL())
	fmt.Fprintf(&b, "  integration key: %s\n", s.IntegrationKey())
	fmt.Fprintf(&b, "  secret:          %s\n", secret)
	for i, u := range s.RedirectURIs() {
		label := "  redirect URIs:   "
		if i > 0 {
			label = "                   "
		}
		fmt.Fprintf(&b, "%s%s\n", label, u)
	}
	fmt.Fprintf(&b, "  consent:         %s\n", consent)
	fmt.Fprintf(&b, "  lifetimes:       access %s, refresh %s, code %s\n", formatLifetime(s.opts.AccessTTL), formatLifetime(s.opts.RefreshTTL), formatLifetime(s.opts.CodeTTL))
	fmt.Fprintf(&b, "Add it to Token Desk with:\n  tokendesk profile add sandbox --integration-key %s --env %s\n", s.IntegrationKey(), s.URL())
	fmt.Fprintf(&b, "Stop with Ctrl+C.\n")
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return err
	}

	<-ctx.Done()
	opts.Logf("sandbox: shutting down")
	s.Close()
	return nil
}
