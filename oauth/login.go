package oauth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// LoginOptions tunes an interactive login (Client.LoginWith).
type LoginOptions struct {
	// OnURL receives the two addresses of the login once the redirect port
	// is open: start, the local start URL to open in a browser on this
	// machine (it redirects to the consent page, so no command line or log
	// line carries the state or PKCE challenge), and consent, the full
	// consent URL, for a person who completes consent in a browser
	// elsewhere and pastes the address it ends on (see Paste). Show consent
	// only on request; never log it or pass it on a command line.
	OnURL func(start, consent string)
	// Paste, if not nil, delivers addresses a person pasted: the whole
	// address the browser ended on (http://127.0.0.1:PORT/callback?code=…).
	// A pasted address goes through the same state check and the same
	// one-shot as the browser's redirect.
	Paste <-chan string
	// OnPasteRejected, if not nil, is told why a pasted address was not
	// accepted (not a redirect address, another login's state, or an answer
	// already received); the login goes on waiting.
	OnPasteRejected func(err error)
}

// Login runs one interactive consent: it opens a loopback redirect server on
// the first free port, hands the local start URL to onURL (the caller opens
// the browser and may show the URL), waits for the redirect (bounded by
// Config.LoginTimeout and ctx), exchanges the code and returns the new
// session. The browser tab is told the outcome.
func (c *Client) Login(ctx context.Context, onURL func(startURL string)) (*Session, error) {
	return c.LoginWith(ctx, LoginOptions{OnURL: func(start, _ string) {
		if onURL != nil {
			onURL(start)
		}
	}})
}

// LoginWith is Login with a pasted-address fallback (see LoginOptions).
func (c *Client) LoginWith(ctx context.Context, o LoginOptions) (*Session, error) {
	timeout := c.loginTimeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	env := c.cfg.Environment
	ln, port, err := listenLoopback(ctx, c.cfg.ports(), env)
	if err != nil {
		return nil, err
	}
	req, err := c.NewAuthRequest(RedirectURI(port))
	if err != nil {
		ln.Close()
		return nil, err
	}
	cs := newCallbackServer(req.state, req.URL, env, c.cfg.scopes())
	served := make(chan struct{})
	go func() { defer close(served); _ = cs.srv.Serve(ln) }()
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer scancel()
		if cs.srv.Shutdown(sctx) != nil {
			_ = cs.srv.Close()
		}
		<-served
	}()
	if o.OnURL != nil {
		o.OnURL(StartURL(port), req.URL)
	}

	paste := o.Paste
	var res callbackResult
wait:
	for {
		select {
		case res = <-cs.got:
			break wait
		case p, ok := <-paste:
			if !ok {
				paste = nil
				continue
			}
			if perr := c.takePasted(cs, p); perr != nil && o.OnPasteRejected != nil {
				o.OnPasteRejected(perr)
			}
		case <-ctx.Done():
			cs.close() // no code is accepted after this point
			e := c.loginEnded(ctx, timeout, req.RedirectURI, int(cs.ignored.Load()), "no answer from the browser")
			cs.outcome <- e // a callback that raced the deadline is told too
			return nil, e
		}
	}
	if res.err != nil {
		cs.outcome <- res.err
		return nil, res.err
	}
	s, err := c.Exchange(ctx, req, res.code)
	cs.outcome <- err
	return s, err
}

// takePasted checks a pasted address and hands it to the login if it
// carries this login's state.
func (c *Client) takePasted(cs *callbackServer, pasted string) error {
	q, perr := parsePasted(pasted)
	if perr != nil {
		return perr
	}
	if !stateMatches(q, cs.state) {
		return errStateMismatch()
	}
	if !cs.deliver(q) {
		return &Error{Op: "login", Kind: KindLogin, Msg: "this login already received its answer"}
	}
	return nil
}

func (c *Client) loginTimeout() time.Duration {
	if c.cfg.LoginTimeout > 0 {
		return c.cfg.LoginTimeout
	}
	return DefaultLoginTimeout
}

// loginEnded is the error of a login that got no usable answer: cancelled,
// or timed out. A timeout names the redirect URI to register, since an
// unregistered one leaves the browser on an error page at the server.
func (c *Client) loginEnded(ctx context.Context, timeout time.Duration, redirectURI string, ignored int, what string) *Error {
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &Error{Op: "login", Kind: KindLogin, Msg: "the login was cancelled", Err: context.Canceled}
	}
	env := c.cfg.Environment
	where := "for the integration key in DocuSign admin → Apps and Keys"
	if !env.IsDocuSign() {
		where = "for the integration key at " + env.serverName()
	}
	msg := fmt.Sprintf("%s within %s. If the consent page shows an error about the redirect URI, register exactly %s %s; then start the login again",
		what, timeout.Round(time.Second), redirectURI, where)
	if ignored > 0 {
		msg += fmt.Sprintf(" (%d request(s) to the redirect address did not carry this login's state and were ignored)", ignored)
	}
	return &Error{Op: "login", Kind: KindLogin, Err: ctx.Err(), server: env.shortName(), Msg: msg}
}

// LoginManual runs a consent for a machine without a usable browser (an SSH
// session): onURL receives the full consent URL to open in any browser,
// whose redirect (to http://127.0.0.1:PORT/callback of the profile's first
// port) ends on an unreachable page; readRedirect returns the whole address
// of that page as the person pasted it. The state is checked (in constant
// time) and the code exchanged. A wrong address, another login's state or a
// server error gives the same messages as the browser callback. The wait is
// bounded by Config.LoginTimeout and ctx.
func (c *Client) LoginManual(ctx context.Context, onURL func(consentURL string), readRedirect func(ctx context.Context) (string, error)) (*Session, error) {
	timeout := c.loginTimeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := c.NewAuthRequest(RedirectURI(c.cfg.ports()[0]))
	if err != nil {
		return nil, err
	}
	if onURL != nil {
		onURL(req.URL)
	}
	type read struct {
		s   string
		err error
	}
	got := make(chan read, 1)
	go func() {
		s, err := readRedirect(ctx)
		got <- read{s, err}
	}()
	var r read
	select {
	case r = <-got:
	case <-ctx.Done():
		return nil, c.loginEnded(ctx, timeout, req.RedirectURI, 0, "no address was pasted")
	}
	if r.err != nil {
		if ctx.Err() != nil {
			return nil, c.loginEnded(ctx, timeout, req.RedirectURI, 0, "no address was pasted")
		}
		return nil, &Error{Op: "login", Kind: KindLogin, Msg: "could not read the pasted address", Err: r.err}
	}
	q, perr := parsePasted(r.s)
	if perr != nil {
		return nil, perr
	}
	code, perr := parseCallback(q, req.state, c.cfg.Environment, c.cfg.scopes())
	if perr != nil {
		return nil, perr
	}
	return c.Exchange(ctx, req, code)
}
