package oauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
)

// The wordings that name no server.
const (
	msgDenied       = "consent was declined in the browser; log in again and choose Accept to let Token Desk act for you"
	msgCodeRejected = "the login code was rejected (a code works once and expires after 2 minutes); log in again"
	msgHTML         = "the account server answered with an HTML page instead of JSON; a proxy, captive portal or outage page may be in the way"
	msgMalformed    = "the account server's answer was not a valid response"
	msgTemporary    = "; this is usually temporary, try again shortly"
)

// accountServer names the server in a sentence: "the DocuSign account
// server", or "the account server (URL)" for a custom base URL.
func (e Environment) accountServer() string {
	if e.IsDocuSign() {
		return "the DocuSign account server"
	}
	return e.serverName()
}

func reloginMsg(env Environment) string {
	return "the refresh token is no longer accepted (expired, revoked at " + env.serverName() + ", or replaced by a newer one); log in again"
}

func misconfiguredMsg(env Environment) string {
	what := "environment (demo or production)"
	if !env.IsDocuSign() {
		what = "environment (" + env.BaseURL() + ")"
	}
	return env.serverName() + " rejected this app's credentials; check the profile's integration key, client secret, redirect URI and " + what
}

// invalidScopeMsg names the scopes asked for and where they are enabled.
func invalidScopeMsg(env Environment, scopes []string) string {
	which := "the requested scopes"
	if len(scopes) > 0 {
		which = "the requested scopes (" + strings.Join(scopes, " ") + ")"
	}
	where := "in DocuSign admin → Apps and Keys"
	if !env.IsDocuSign() {
		where = "at that server"
	}
	s := env.serverName() + " refused " + which + " (invalid_scope): each scope must be enabled for this integration key " +
		where + ", or removed from the profile's scopes"
	if slices.Contains(scopes, ScopeExtended) {
		s += "; extended can only be requested at consent (never at refresh), and without it the session ends 30 days after each login"
	}
	return s
}

// call is what a failure is classified against: the operation, the
// environment (for the server's name), the scopes asked for (for
// invalid_scope) and the secrets the request carried (to redact echoes).
type call struct {
	op      string
	env     Environment
	scopes  []string
	secrets []string
}

// call prepares the classification of one operation of c; secrets are the
// per-request secrets (code, verifier, tokens) on top of the client's own.
func (c *Client) call(op string, secrets ...string) call {
	return call{op: op, env: c.cfg.Environment, scopes: c.cfg.scopes(),
		secrets: secretForms(c.cfg.IntegrationKey, c.cfg.ClientSecret, secrets...)}
}

// reply turns an unsuccessful HTTP answer into an *Error. The server's text
// is cleaned and redacted before it is shortened.
func (k call) reply(r *serverReply) *Error {
	e := &Error{Op: k.op, Status: r.Status, Code: cleanScrub(r.Code, k.secrets),
		Description: cleanScrub(r.Description, k.secrets), RetryAfter: r.RetryAfter, server: k.env.shortName()}
	switch {
	case r.HTML:
		e.Kind, e.Msg = KindTransient, fmt.Sprintf("%s (HTTP %d)%s", msgHTML, r.Status, msgTemporary)
	case r.Status == 429 || r.Status >= 500:
		e.Kind, e.Msg = KindTransient, fmt.Sprintf("%s had a problem (HTTP %d)%s", k.env.accountServer(), r.Status, msgTemporary)
	case r.Malformed && r.Status >= 200 && r.Status <= 299:
		e.Kind, e.Msg = KindTransient, fmt.Sprintf("%s (HTTP %d)%s", msgMalformed, r.Status, msgTemporary)
	case r.Code == "invalid_scope":
		e.Kind, e.Msg = KindMisconfigured, invalidScopeMsg(k.env, k.scopes)
	case r.Code == "invalid_client" || r.Code == "unauthorized_client" ||
		(r.Code == "invalid_grant" && r.Description == "unauthorized_client"):
		e.Kind, e.Msg = KindMisconfigured, misconfiguredMsg(k.env)
	case r.Code == "invalid_grant" && k.op == "refresh":
		e.Kind, e.Msg = KindRelogin, reloginMsg(k.env)
	case r.Code == "invalid_grant" && k.op == "exchange":
		e.Kind, e.Msg = KindLogin, msgCodeRejected
	case k.op == "userinfo" && r.Status == 401:
		e.Kind, e.Msg = KindOther, k.env.serverName()+" did not accept the access token; refresh it or log in again"
	case k.op == "userinfo" && r.Status == 403:
		e.Kind, e.Msg = KindOther, k.env.serverName()+" refused to show the user and accounts (HTTP 403); the consent may lack a scope userinfo needs"
	default:
		e.Kind, e.Msg = KindOther, k.env.serverName()+" refused the request"
	}
	return e
}

// transport maps a failure to get any answer at all: refused connection,
// DNS, TLS, timeout, dropped connection. Cancellation by the caller is
// reported as such, not as a network problem.
func (k call) transport(ctx context.Context, err error) *Error {
	var re *replyError
	if errors.As(err, &re) {
		return k.reply(re.reply)
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) || errors.Is(err, context.Canceled) {
		return &Error{Op: k.op, Kind: KindOther, Msg: "cancelled", Err: context.Canceled, server: k.env.shortName()}
	}
	cause := "the connection failed"
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		cause = "no answer before the timeout"
	case strings.Contains(err.Error(), "connection refused"):
		cause = "connection refused"
	case strings.Contains(err.Error(), "no such host"):
		cause = "host not found"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		strings.Contains(err.Error(), "EOF"), strings.Contains(err.Error(), "connection reset"),
		strings.Contains(err.Error(), "broken pipe"), strings.Contains(err.Error(), "server closed idle connection"):
		// A pooled keep-alive connection the server closed, or a server
		// that went away mid-answer.
		cause = "the connection was dropped"
	case strings.Contains(err.Error(), "certificate"), strings.Contains(err.Error(), "tls"):
		cause = "TLS failed"
	}
	cerr := stripURL(err)
	if scrubText(cerr.Error(), k.secrets) != cerr.Error() {
		cerr = errors.New(redactedMark)
	}
	return &Error{Op: k.op, Kind: KindTransient, server: k.env.shortName(),
		Msg: fmt.Sprintf("could not reach %s (%s); check the network%s", k.env.accountServer(), cause, msgTemporary),
		Err: cerr}
}

// stripURL drops *url.Error's URL so a cause can never carry a query string.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
