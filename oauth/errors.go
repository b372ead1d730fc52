package oauth

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies a failure by what a person (or the keeper) can do about it.
type Kind int

// The kinds of failure. Their zero value is KindOther, the catch-all.
const (
	// KindOther is a server error that fits no other kind; Code and
	// Description keep what the server said.
	KindOther Kind = iota
	// KindRelogin means the refresh token is dead (expired, revoked, rotated
	// out; any invalid_grant on refresh): only a new browser login helps.
	KindRelogin
	// KindMisconfigured means the integration key, secret, redirect URI or
	// environment do not match what DocuSign has registered.
	KindMisconfigured
	// KindConsentDenied means the user declined the consent page.
	KindConsentDenied
	// KindTransient is a network failure, timeout, 5xx, 429 or a response
	// that is not DocuSign's JSON; trying again later may succeed.
	KindTransient
	// KindLogin is a failure of the local login flow itself: no free
	// redirect port, a state mismatch, the login timing out or being
	// cancelled.
	KindLogin
)

// String returns the kind's stable, lowercase name (used in logs and JSON).
func (k Kind) String() string {
	switch k {
	case KindRelogin:
		return "relogin_required"
	case KindMisconfigured:
		return "misconfigured"
	case KindConsentDenied:
		return "consent_denied"
	case KindTransient:
		return "transient"
	case KindLogin:
		return "login_failed"
	}
	return "other"
}

// Error is the one error type this package returns. Its message is written
// for a person and never contains a secret; Code and Description carry the
// server's OAuth error fields for diagnostics, cleaned (CleanText) and with
// any echoed secret redacted.
type Error struct {
	// Kind says what can be done about the failure.
	Kind Kind
	// Op is the operation that failed: "login", "exchange", "refresh" or "userinfo".
	Op string
	// Status is the HTTP status code, or 0 when no response arrived.
	Status int
	// Code is the server's OAuth "error" field, if any (e.g. "invalid_grant").
	Code string
	// Description is the server's "error_description" (or, on the consent
	// redirect, "error_message"), if any.
	Description string
	// Msg is the human sentence; it already names the remedy.
	Msg string
	// Err is the underlying cause, if any. It never carries secrets: causes
	// from the HTTP layer are scrubbed of URLs before being wrapped.
	Err error
	// Session, on a failed refresh, is the session with the new refresh
	// token of a 2xx answer that was otherwise unusable (e.g. no access
	// token): the server may already have rotated, so the caller must
	// persist it as it would a successful refresh's, then retry. Its access
	// token is empty. Nil otherwise.
	Session *Session
	// RetryAfter is the earliest time the server allows another attempt,
	// from a Retry-After header (seconds or an HTTP date) on a 429 or 503;
	// zero when it named none.
	RetryAfter time.Time
	// server is how messages name the account server ("DocuSign", or "the
	// account server (URL)"); empty means "the account server".
	server string
}

// Error returns the person-readable message: what went wrong, what to do, and
// the server's error code when there is one.
func (e *Error) Error() string {
	if e.Op == "" {
		return e.Human()
	}
	return e.Op + ": " + e.Human()
}

// Human is Error without the operation prefix, for a window or a status
// line that already says what was being done.
func (e *Error) Human() string {
	s := e.Msg
	if e.Code != "" {
		who := e.server
		if who == "" {
			who = "the account server"
		}
		s += fmt.Sprintf(" (%s said %s", who, e.Code)
		if e.Description != "" {
			s += ": " + e.Description
		}
		s += ")"
	} else if e.Status != 0 && e.Kind != KindTransient {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err if it wraps an *Error, and KindOther
// otherwise.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

// IsRelogin reports whether err means the stored session is dead and a new
// browser login is required.
func IsRelogin(err error) bool { return err != nil && KindOf(err) == KindRelogin }

// IsTransient reports whether err is worth retrying with backoff.
func IsTransient(err error) bool { return err != nil && KindOf(err) == KindTransient }
