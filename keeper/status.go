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

// Status is a snapshot of one profile's session, free of secrets. It is what
// subscribers receive on every change.
type Status struct {
	// Profile is the profile name.
	Profile string
	// Environment is the profile's DocuSign environment.
	Environment oauth.Environment
	// State is the lifecycle state.
	State State
	// Reason explains Retrying and ReloginRequired in a sentence a person
	// can act on; empty otherwise.
	Reason string
	// ErrorCode is DocuSign's "error" field behind Reason, if any.
	ErrorCode string
	// NextAttempt is when the next automatic refresh is due (zero if none).
	NextAttempt time.Time
	// Session is the stored session without its tokens (nil when signed out).
	Session *oauth.Session
	// RefreshExpiresAt is when the refresh token dies, and RefreshExpirySource
	// where that date comes from.
	RefreshExpiresAt    time.Time
	RefreshExpirySource oauth.ExpirySource
	// ExpiringSoon is set when the refresh token dies within the warning
	// horizon (default 3 days): ask for a new login now.
	ExpiringSoon bool
	// StorageError is set while a rotated refresh token is held only in
	// memory because the keyring write failed; the keeper keeps retrying it.
	StorageError string
	// UpdatedAt is when this snapshot was taken.
	UpdatedAt time.Time
}

// Activity is one line of the keeper's activity log. It never holds a token.
type Activity struct {
	// Time is when the action finished (UTC).
	Time time.Time `json:"time"`
	// Action is what was done: "login", "refresh", "logout", "userinfo", "store".
	Action string `json:"action"`
	// Trigger is why: "schedule", "keep-alive", "wake", "user", "cli", "token".
	Trigger string `json:"trigger"`
	// Outcome is "ok" or the failure kind ("transient", "relogin_required", ...).
	Outcome string `json:"outcome"`
	// Code and Description are DocuSign's error fields, if any.
	Code        string `json:"code,omitempty"`
	Description string `json:"description,omitempty"`
	// Message is the person-readable detail.
	Message string `json:"message,omitempty"`
	// Duration is how long the action took.
	Duration time.Duration `json:"duration_ns"`
}
