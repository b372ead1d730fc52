package keeper

import (
	"time"

	"github.com/tokendesk/tokendesk/oauth"
)

// State is a keeper's lifecycle state. Its string values are part of the
// `tokendesk status --json` contract.
type State string

// The keeper states.
const (
	// SignedOut: no session stored; a login is needed.
	SignedOut State = "signed_out"
	// Valid: the access token is usable and refreshes are on schedule.
	Valid State = "valid"
	// Refreshing: a refresh is in flight.
	Refreshing State = "refreshing"
	// Retrying: the last refresh failed for a transient reason (offline,
	// 5xx, timeout); another attempt is scheduled with backoff.
	Retrying State = "retrying"
	// ReloginRequired: the refresh token is dead; only a browser login helps.
	ReloginRequired State = "relogin_required"
)

// Trigger is why a refresh (or login) ran. Its string values appear in the
// activity log.
type Trigger string

// The triggers.
const (
	// TriggerSchedule: the access token reached its refresh lead.
	TriggerSchedule Trigger = "schedule"
	// TriggerKeepAlive: an extended refresh token was rotated so that it
	// never reaches the end of its lifetime.
	TriggerKeepAlive Trigger = "keep-alive"
	// TriggerWake: the wall clock jumped (suspend) and a refresh was due.
	TriggerWake Trigger = "wake"
	// TriggerRetry: a retry after a failed attempt, or of a pending write.
	TriggerRetry Trigger = "retry"
	// TriggerUser: a person asked for it (Refresh now, tokendesk refresh).
	TriggerUser Trigger = "user"
	// TriggerToken: a caller needed a token valid for longer than is left.
	TriggerToken Trigger = "token"
	// TriggerLogin: an interactive login.
	TriggerLogin Trigger = "login"
)

// NextKind says what the next scheduled attempt will do.
type NextKind string

// The kinds of next attempt.
const (
	// NextNone: nothing is scheduled (signed out, re-login required).
	NextNone NextKind = ""
	// NextRefresh: the access token will be refreshed before it expires.
	NextRefresh NextKind = "refresh"
	// NextKeepAlive: an extended refresh token will be rotated to keep it alive.
	NextKeepAlive NextKind = "keep_alive"
	// NextRetry: a failed attempt will be retried.
	NextRetry NextKind = "retry"
)

// Event is one finished refresh attempt, as the window's "last refreshed"
// line shows it.
type Event struct {
	// At is when the attempt finished (UTC).
	At time.Time
	// Trigger is why it ran.
	Trigger Trigger
	// OK is true when it succeeded.
	OK bool
	// Message is the failure's person-readable sentence; empty on success.
	Message string
}

// Status is a snapshot of one profile's session, free of secrets. It is what
// subscribers receive on every change, and it is everything a window shows:
// a user interface draws it and derives no session fact of its own.
type Status struct {
	// Profile is the profile name.
	Profile string
	// Environment is the profile's DocuSign environment.
	Environment oauth.Environment
	// State is the lifecycle state.
	State State
	// Reason explains Retrying and ReloginRequired in a sentence a person
	// can act on (the server's error code appears in it at most once);
	// empty otherwise.
	Reason string
	// ErrorCode is DocuSign's "error" field behind Reason, if any.
	ErrorCode string
	// NextAttempt is when the next automatic attempt is due (zero if none),
	// and NextKind what it will do.
	NextAttempt time.Time
	NextKind    NextKind
	// LastRefresh is the last finished refresh attempt (nil if none since
	// the last login).
	LastRefresh *Event
	// Session is the stored session without its tokens (nil when signed out).
	Session *oauth.Session
	// AccessIssuedAt and AccessExpiresAt bound the current access token's
	// life (zero when there is none, or when the session is dead).
	AccessIssuedAt, AccessExpiresAt time.Time
	// RefreshIssuedAt is when the current refresh token was received.
	RefreshIssuedAt time.Time
	// RefreshExpiresAt is when the refresh token dies, and RefreshExpirySource
	// where that date comes from.
	RefreshExpiresAt    time.Time
	RefreshExpirySource oauth.ExpirySource
	// WarnFrom is when the expiring-soon warning starts: RefreshExpiresAt
	// minus the warning horizon.
	WarnFrom time.Time
	// ExpiringSoon is set when the refresh token dies within the warning
	// horizon: ask for a new login now.
	ExpiringSoon bool
	// DiedAt is when the session was found dead (ReloginRequired only).
	DiedAt time.Time
	// Extended reports whether the session renews its refresh token on each
	// refresh, and ExtendedEvidence what that rests on: "requested" (asked
	// for at consent) or "token" (a rotated refresh token carried a fresh
	// full lifetime). Both are empty/false when signed out.
	Extended         bool
	ExtendedEvidence string
	// LastError is the last failed refresh as persisted (nil after a
	// success), whichever process made it.
	LastError *oauth.Failure
	// StorageError is set while a rotated refresh token is held only in
	// memory because the keyring write failed; the keeper keeps retrying it.
	StorageError string
	// ActivityVersion increases with every activity entry, so a subscriber
	// knows when to re-read Activity.
	ActivityVersion uint64
	// UpdatedAt is when this snapshot was taken.
	UpdatedAt time.Time
}

// Activity is one line of the keeper's activity log. It never holds a token.
type Activity struct {
	// Time is when the action finished (UTC).
	Time time.Time `json:"time"`
	// Action is what was done: "login", "refresh", "logout", "userinfo", "store".
	Action string `json:"action"`
	// Trigger is why: one of the Trigger values.
	Trigger string `json:"trigger"`
	// Outcome is "ok", a failure kind ("transient", "relogin_required",
	// ...), "storage_error", "lock_error", "deferred" (the server's
	// Retry-After forbade a request) or "handed_off" (a running Token Desk
	// took a rotated token this process could not save).
	Outcome string `json:"outcome"`
	// Code and Description are DocuSign's error fields, if any.
	Code        string `json:"code,omitempty"`
	Description string `json:"description,omitempty"`
	// Message is the person-readable detail.
	Message string `json:"message,omitempty"`
	// Duration is how long the action took.
	Duration time.Duration `json:"duration_ns"`
}
