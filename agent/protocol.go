// Package agent is Token Desk's local endpoint: the running app (the window
// or `tokendesk agent`) serves its keepers to `tokendesk token`, `status` and
// `refresh` over a Unix socket (a named pipe on Windows) that only the same
// user can reach, with a small versioned JSON protocol. Clients fall back to
// the direct path when no app answers within a short bound.
//
// The wire format is one JSON object per line. On accept the server checks
// the peer's user and sends a Hello (or a refusal); the client then sends one
// Request and reads one Response. Tokens travel only in the answer to "token"
// and in a "hand-off" request; neither is ever logged.
package agent

import (
	"errors"
	"fmt"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// Version is the protocol version this build speaks.
const Version = 1

// The operations a Request may ask for.
const (
	// OpPing returns the server's Info only.
	OpPing = "ping"
	// OpToken returns an access token valid for at least MinValid.
	OpToken = "token"
	// OpStatus returns a profile's status.
	OpStatus = "status"
	// OpRefresh refreshes a profile now and returns its status.
	OpRefresh = "refresh"
	// OpShowWindow shows and raises the window (window servers only).
	OpShowWindow = "show-window"
	// OpHandOff gives the server a rotated session a client could not store.
	OpHandOff = "hand-off"
)

// The kinds of server.
const (
	// KindWindow is the desktop app (window shown, hidden or in the tray).
	KindWindow = "window"
	// KindAgent is `tokendesk agent`, with no GUI.
	KindAgent = "agent"
)

// Info describes a running server: what keeps the sessions alive.
type Info struct {
	// Kind is KindWindow or KindAgent.
	Kind string `json:"kind"`
	// PID is the server's process id.
	PID int `json:"pid"`
	// Since is when the server started serving (UTC).
	Since time.Time `json:"since"`
}

// Hello is the first line a server sends on a connection.
type Hello struct {
	V int `json:"v"`
	// Info is set when the peer is admitted.
	Info *Info `json:"info,omitempty"`
	// Error is set when the peer is refused; the server then closes.
	Error *Error `json:"error,omitempty"`
}

// Request is one client request.
type Request struct {
	V       int    `json:"v"`
	Op      string `json:"op"`
	Profile string `json:"profile,omitempty"`
	// MinValid is a Go duration ("5m") for OpToken.
	MinValid string `json:"min_valid,omitempty"`
	// HandOff carries the session for OpHandOff.
	HandOff *HandOff `json:"hand_off,omitempty"`
}

// HandOff is a rotated session with its tokens, sent by a process that could
// not persist it so the running app holds and stores it.
type HandOff struct {
	Session      *oauth.Session `json:"session"`
	AccessToken  string         `json:"access_token"`
	RefreshToken string         `json:"refresh_token"`
}

// Response is the answer to one Request.
type Response struct {
	V  int  `json:"v"`
	OK bool `json:"ok"`
	// Error is set when OK is false.
	Error *Error `json:"error,omitempty"`
	// Token is the access token (OpToken).
	Token string `json:"token,omitempty"`
	// Status is the profile's status (OpStatus, OpRefresh).
	Status *keeper.Status `json:"status,omitempty"`
	// Info is the server's Info (every op).
	Info *Info `json:"info,omitempty"`
}

// The kinds of Error.
const (
	// ErrKindSignedOut: the profile is not logged in (exit code 4).
	ErrKindSignedOut = "signed_out"
	// ErrKindRelogin: the refresh token is dead (exit code 4).
	ErrKindRelogin = "relogin"
	// ErrKindRefused: the peer is another user.
	ErrKindRefused = "refused"
	// ErrKindUnsupported: the op or version is unknown, or the server
	// cannot do it (show-window on an agent).
	ErrKindUnsupported = "unsupported"
	// ErrKindBadRequest: a malformed request.
	ErrKindBadRequest = "bad_request"
	// ErrKindFailed: any other failure; Message says what to do.
	ErrKindFailed = "failed"
	// ErrKindNotServed: this app does not serve the op for this
	// configuration (a demo-mode window): the client takes the direct path.
	ErrKindNotServed = "not_served"
)

// Error is a failure reported by the server. It never holds a token.
type Error struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Is makes a signed-out answer match keeper.ErrSignedOut.
func (e *Error) Is(target error) bool {
	return e.Kind == ErrKindSignedOut && target == keeper.ErrSignedOut
}

// Unwrap maps a dead-session answer to an oauth error of kind relogin, so
// callers classify it as they classify a local one.
func (e *Error) Unwrap() error {
	if e.Kind == ErrKindRelogin {
		return &oauth.Error{Op: "refresh", Kind: oauth.KindRelogin, Msg: e.Message}
	}
	return nil
}

// errorOf converts a backend error into a wire Error.
func errorOf(err error) *Error {
	var we *Error
	switch {
	case errors.As(err, &we):
		return we
	case errors.Is(err, keeper.ErrSignedOut):
		return &Error{Kind: ErrKindSignedOut, Message: err.Error()}
	case oauth.IsRelogin(err):
		return &Error{Kind: ErrKindRelogin, Message: err.Error()}
	}
	return &Error{Kind: ErrKindFailed, Message: err.Error()}
}

// ErrNoServer is returned by the client when no app answers for the
// configuration (none runs, its socket is stale, or it did not answer in
// time); the caller takes the direct path.
var ErrNoServer = errors.New("no running Token Desk answers for this configuration")

// noServer wraps a cause in ErrNoServer.
func noServer(cause error) error { return fmt.Errorf("%w: %w", ErrNoServer, cause) }
