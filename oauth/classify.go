package oauth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// The one wording per failure a person can meet.
const (
	msgRelogin       = "the refresh token is no longer accepted (expired, revoked at DocuSign, or replaced by a newer one); log in again"
	msgMisconfigured = "DocuSign rejected this app's credentials; check the profile's integration key, client secret, redirect URI and environment (demo or production)"
	msgDenied        = "consent was declined in the browser; log in again and choose Accept to let Token Desk act for you"
	msgCodeRejected  = "the login code was rejected (a code works once and expires after 2 minutes); log in again"
	msgUnreachable   = "could not reach the DocuSign account server"
	msgServerError   = "the DocuSign account server had a problem"
	msgHTML          = "the account server answered with an HTML page instead of JSON; a proxy, captive portal or outage page may be in the way"
	msgMalformed     = "the account server's answer was not a valid response"
	msgTemporary     = "; this is usually temporary, try again shortly"
	msgRefused       = "DocuSign refused the request"
	msgTokenRejected = "DocuSign did not accept the access token; refresh it or log in again"
)

// classifyReply turns an unsuccessful HTTP answer into an *Error.
func classifyReply(op string, r *serverReply) *Error {
	e := &Error{Op: op, Status: r.Status, Code: r.Code, Description: r.Description}
	switch {
	case r.HTML:
		e.Kind, e.Msg = KindTransient, fmt.Sprintf("%s (HTTP %d)%s", msgHTML, r.Status, msgTemporary)
	case r.Status == 429 || r.Status >= 500:
		e.Kind, e.Msg = KindTransient, fmt.Sprintf("%s (HTTP %d)%s", msgServerError, r.Status, msgTemporary)
	case r.Malformed && r.Status >= 200 && r.Status <= 299:
		e.Kind, e.Msg = KindTransient, fmt.Sprintf("%s (HTTP %d)%s", msgMalformed, r.Status, msgTemporary)
	case r.Code == "invalid_client" || r.Code == "unauthorized_client" ||
		(r.Code == "invalid_grant" && r.Description == "unauthorized_client"):
		e.Kind, e.Msg = KindMisconfigured, msgMisconfigured
	case r.Code == "invalid_grant" && op == "refresh":
		e.Kind, e.Msg = KindRelogin, msgRelogin
	case r.Code == "invalid_grant" && op == "exchange":
		e.Kind, e.Msg = KindLogin, msgCodeRejected
	case op == "userinfo" && r.Status == 401:
		e.Kind, e.Msg = KindOther, msgTokenRejected
	default:
		e.Kind, e.Msg = KindOther, msgRefused
	}
	return e
}

// classifyTransportError maps a failure to get any answer at all: refused
// connection, DNS, TLS, timeout, dropped connection. Cancellation by the
// caller is reported as such, not as a network problem.
func classifyTransportError(ctx context.Context, op string, err error) *Error {
	var re *replyError
	if errors.As(err, &re) {
		return classifyReply(op, re.reply)
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) || errors.Is(err, context.Canceled) {
		return &Error{Op: op, Kind: KindOther, Msg: "cancelled", Err: context.Canceled}
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
	case strings.Contains(err.Error(), "EOF"), strings.Contains(err.Error(), "connection reset"):
		cause = "the connection was dropped"
	case strings.Contains(err.Error(), "certificate"), strings.Contains(err.Error(), "tls"):
		cause = "TLS failed"
	}
	return &Error{Op: op, Kind: KindTransient,
		Msg: fmt.Sprintf("%s (%s); check the network%s", msgUnreachable, cause, msgTemporary),
		Err: stripURL(err)}
}

// stripURL drops *url.Error's URL so a cause can never carry a query string.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// scrub removes any occurrence of the given secrets from an Error's
// server-supplied fields, for servers that echo what they were sent.
func scrub(e *Error, secrets ...string) *Error {
	for _, s := range secrets {
		if len(s) < 4 {
			continue
		}
		e.Code = strings.ReplaceAll(e.Code, s, "[redacted]")
		e.Description = strings.ReplaceAll(e.Description, s, "[redacted]")
		if e.Err != nil && strings.Contains(e.Err.Error(), s) {
			e.Err = errors.New("[redacted]")
		}
	}
	return e
}
