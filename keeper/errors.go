package keeper

import (
	"errors"
	"fmt"
	"github.com/tokendesk/tokendesk/internal/humanize"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
)

// ErrSignedOut is returned by Token and Refresh when no session is stored.
var ErrSignedOut = errors.New("not logged in: run a login first")

// ErrRotatedTokenLost is wrapped by the error of a refresh whose rotated
// refresh token could not be saved within Options.PendingWriteWait: the
// server no longer accepts the stored one, so the session ends with this
// process and a new login is needed.
var ErrRotatedTokenLost = errors.New("the new refresh token could not be saved")

// ShortValidityError is returned by Token together with a usable token when
// the caller asked for a longer validity than the access lifetime allows
// (a minimum validity is capped at half of the token's lifetime, so that
// short-lived tokens are not refreshed on every call). Got is how long the
// returned token is still valid.
type ShortValidityError struct {
	// Asked is the validity the caller asked for.
	Asked time.Duration
	// Got is how long the returned token is valid.
	Got time.Duration
	// Lifetime is the access token's whole lifetime.
	Lifetime time.Duration
}

// Error says what was asked and what the token offers.
func (e *ShortValidityError) Error() string {
	return fmt.Sprintf("the access token is valid for %s only, less than the %s asked for: the account server issues access tokens that live %s, and Token Desk refreshes only once half of that is left",
		humanize.Duration(e.Got), humanize.Duration(e.Asked), humanize.Duration(e.Lifetime))
}

// MetaError is returned by a Store's SaveSession when the tokens were saved
// but the session's metadata (the config file) could not be written. The
// keeper treats it as a success with a warning: the new refresh token is
// safe, only other processes may see stale times until the next write.
type MetaError struct {
	// Err is the config write's failure.
	Err error
}

// Error names the failure and its consequence.
func (e *MetaError) Error() string {
	return "the new tokens are saved in the keyring, but the config file could not be updated: " + e.Err.Error()
}

// Unwrap returns the config write's failure.
func (e *MetaError) Unwrap() error { return e.Err }

// retryAfterOf is the earliest time the server allows another attempt after
// err (its Retry-After header), or zero.
func retryAfterOf(err error) time.Time {
	var oe *oauth.Error
	if errors.As(err, &oe) {
		return oe.RetryAfter
	}
	return time.Time{}
}

// failureOf describes a failed refresh for the session metadata.
func failureOf(at time.Time, err error) *oauth.Failure {
	f := &oauth.Failure{At: at.UTC(), Kind: oauth.KindOf(err).String(), Message: humanError(err), RetryAfter: retryAfterOf(err)}
	var oe *oauth.Error
	if errors.As(err, &oe) {
		f.Code, f.Status = oe.Code, oe.Status
	}
	return f
}

// humanError is an error's text for a status line: an *oauth.Error without
// its operation prefix (its server code appears once), anything else as is.
func humanError(err error) string {
	var oe *oauth.Error
	if errors.As(err, &oe) {
		return oe.Human()
	}
	return err.Error()
}

// errorCode is the server's OAuth error code behind err, if any.
func errorCode(err error) string {
	var oe *oauth.Error
	if errors.As(err, &oe) {
		return oe.Code
	}
	return ""
}
