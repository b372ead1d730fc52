package keeper

import (
	"time"

	"github.com/tokendesk/tokendesk/oauth"
)

// FallbackAccessLifetime is the access-token lifetime assumed when a session
// does not say when its access token was issued (DocuSign's is 8 hours).
const FallbackAccessLifetime = oauth.DefaultAccessLifetime

// The wordings of a stored refresh token that cannot be used, whichever
// path noticed it.
const (
	msgNoRefreshToken      = "no refresh token is stored for this profile (it was deleted, or a logout stopped half-way); log in again"
	msgDamagedRefreshToken = "the stored refresh token is damaged (an earlier write was probably interrupted); log in again"
)

// Policy is the part of Options the refresh decision depends on.
type Policy struct {
	// Lead is the configured refresh lead before the access token expires;
	// it shrinks to a quarter of shorter access lifetimes.
	Lead time.Duration
	// KeepAlive is the longest an extended refresh token goes unrotated.
	KeepAlive time.Duration
	// RefreshLifetime is the refresh-token lifetime used for estimates.
	RefreshLifetime time.Duration
	// MinBackoff is the delay before retrying a failure another process
	// recorded (this process has no backoff history for it).
	MinBackoff time.Duration
}

// Phase is the keeper's in-memory view that the stored session does not
// carry: what this process is doing and what it noticed.
type Phase struct {
	// State is Valid, Refreshing or Retrying.
	State State
	// Reason explains a Retrying state that this process decided.
	Reason string
	// RetryAt is when this process retries (Retrying or Pending).
	RetryAt time.Time
	// Pending is set while a rotated refresh token waits to be written.
	Pending bool
	// Unusable is set, with the reason, when the stored refresh token was
	// found missing or damaged: only a login helps.
	Unusable string
	// Woke is set when the wall clock jumped since the last check (a
	// suspended laptop woke up).
	Woke bool
}

// Decision is what the policy says about a session at one instant.
type Decision struct {
	// State and Reason are the state to publish.
	State  State
	Reason string
	// Due is set when an automatic attempt should run now, with Trigger,
	// Force (refresh even though the access token is still valid enough)
	// and MinValid (the validity the attempt must secure).
	Due      bool
	Trigger  Trigger
	Force    bool
	MinValid time.Duration
	// Next is when the next automatic attempt is due (zero if none), and
	// NextKind what it will do.
	Next     time.Time
	NextKind NextKind
	// NotBefore is the server's Retry-After: no request before it.
	NotBefore time.Time
}

// Decide is the refresh policy: a pure function of the time, the session
// (nil when signed out), the keeper's phase and the settings.
func Decide(now time.Time, s *oauth.Session, ph Phase, p Policy) Decision {
	if s == nil {
		return Decision{State: SignedOut}
	}
	if s.Dead != "" {
		return Decision{State: ReloginRequired, Reason: s.Dead}
	}
	if ph.Unusable != "" {
		return Decision{State: ReloginRequired, Reason: ph.Unusable}
	}
	if exp, _ := s.RefreshExpiry(p.RefreshLifetime); !exp.After(now) {
		return Decision{State: ReloginRequired,
			Reason: "the refresh token expired on " + exp.UTC().Format(time.RFC1123) + "; log in again"}
	}
	d := Decision{State: Valid, MinValid: p.LeadFor(s)}
	if f := s.LastFailure; f != nil && f.RetryAfter.After(now) {
		d.NotBefore = f.RetryAfter
	}
	switch {
	case ph.Pending:
		d.State, d.Reason = Retrying, ph.Reason
		d.Trigger, d.Next, d.NextKind = TriggerRetry, later(ph.RetryAt, time.Time{}), NextRetry
		d.Due = !now.Before(d.Next)
		return d
	case ph.State == Refreshing:
		d.State = Refreshing
		return d
	case ph.State == Retrying || s.LastFailure != nil:
		d.State, d.Reason = Retrying, ph.Reason
		at := ph.RetryAt
		if ph.State != Retrying { // a failure another process recorded
			d.Reason = s.LastFailure.Message
			at = s.LastFailure.At.Add(p.MinBackoff)
		}
		d.Trigger, d.Force, d.NextKind = TriggerRetry, true, NextRetry
		d.Next = later(at, d.NotBefore)
		d.Due = !now.Before(d.Next)
		return d
	}
	refreshAt, keepAt := p.RefreshAt(s), p.KeepAliveAt(s)
	d.Next, d.NextKind, d.Trigger = refreshAt, NextRefresh, TriggerSchedule
	// An access token due for refresh wins: its refresh rotates the
	// refresh token too.
	if !keepAt.IsZero() && keepAt.Before(refreshAt) && now.Before(refreshAt) {
		d.Next, d.NextKind, d.Trigger, d.Force = keepAt, NextKeepAlive, TriggerKeepAlive, true
	}
	if ph.Woke && d.Trigger == TriggerSchedule {
		d.Trigger = TriggerWake
	}
	d.Next = later(d.Next, d.NotBefore)
	d.Due = !now.Before(d.Next)
	return d
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// AccessLifetime is the current access token's whole lifetime: expiry minus
// issue time, or FallbackAccessLifetime when the issue time is unknown.
func AccessLifetime(s *oauth.Session) time.Duration {
	if s == nil || s.AccessIssuedAt.IsZero() || !s.AccessExpiresAt.After(s.AccessIssuedAt) {
		return FallbackAccessLifetime
	}
	return s.AccessExpiresAt.Sub(s.AccessIssuedAt)
}

// MaxValidity is the longest validity a caller can be promised: half of the
// access lifetime. A caller asking for more gets a token that lives at least
// this long and a *ShortValidityError, instead of a refresh on every call.
func MaxValidity(s *oauth.Session) time.Duration { return AccessLifetime(s) / 2 }

// CapValidity returns the validity to secure when a caller asks for asked:
// asked, capped at MaxValidity(s).
func CapValidity(s *oauth.Session, asked time.Duration) time.Duration {
	return min(asked, MaxValidity(s))
}

// LeadFor is the refresh lead for s: the configured lead, but at most a
// quarter of the access lifetime, so a short-lived token is never scheduled
// for refresh before (or right after) it was issued.
func (p Policy) LeadFor(s *oauth.Session) time.Duration {
	return min(p.Lead, AccessLifetime(s)/4)
}

// RefreshAt is when the access token is due for refresh: its expiry minus
// the lead, and never before its issue time.
func (p Policy) RefreshAt(s *oauth.Session) time.Time {
	return later(s.AccessExpiresAt.Add(-p.LeadFor(s)), s.AccessIssuedAt)
}

// KeepAliveAt is when an extended refresh token is rotated to keep it
// alive (zero for a session without extended).
func (p Policy) KeepAliveAt(s *oauth.Session) time.Time {
	if !s.Extended() {
		return time.Time{}
	}
	return s.RefreshIssuedAt.Add(p.KeepAlive)
}

// backoff doubles from lo per attempt up to hi.
func backoff(lo, hi time.Duration, attempt int) time.Duration {
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}
