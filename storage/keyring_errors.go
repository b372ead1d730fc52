package storage

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// ErrUnavailable is matched (errors.Is) by every keyring failure other than
// a missing secret: the keyring is absent, locked, hanging, refused the
// request, or returned something other than what was written. Callers fail
// closed on it; there is no plaintext fallback.
var ErrUnavailable = errors.New("the system keyring is unavailable")

// ErrReadBack is wrapped by the *KeyringError of a Set whose value, read back
// right after the write, differs from what was written.
var ErrReadBack = errors.New("the keyring returned a different value than was written")

// ErrCorrupt is wrapped by the *KeyringError of a Get whose chunked value is
// incomplete or fails its checksum, as after an interrupted write.
var ErrCorrupt = errors.New("the stored value is incomplete or damaged")

// KeyringError is a keyring failure other than a missing secret. Its message
// is one sentence saying what failed and what a person can do about it; it
// never contains a secret value.
type KeyringError struct {
	// Op is "get", "set" or "delete".
	Op string
	// Profile and Key name the secret.
	Profile, Key string
	// Err is the underlying cause (from go-keyring, D-Bus, or one of
	// ErrReadBack, ErrCorrupt).
	Err error
	// Hint says what is wrong and what to do, e.g. "the login keyring is
	// locked; unlock it ..., then try again".
	Hint string
}

// Error returns "could not <op> the <key> of profile <p> ...: <hint>".
func (e *KeyringError) Error() string {
	var what string
	switch e.Op {
	case "get":
		what = "could not read the %s of profile %q from the system keyring"
	case "set":
		what = "could not save the %s of profile %q in the system keyring"
	default:
		what = "could not delete the %s of profile %q from the system keyring"
	}
	return fmt.Sprintf(what, strings.ReplaceAll(e.Key, "_", " "), e.Profile) + ": " + e.Hint
}

// Unwrap returns the underlying cause.
func (e *KeyringError) Unwrap() error { return e.Err }

// Is makes every KeyringError match ErrUnavailable.
func (e *KeyringError) Is(target error) bool { return target == ErrUnavailable }

// keyringHint turns a backend error into the actionable sentence of a
// KeyringError. secrets are values that must not appear in the text.
func keyringHint(err error, timeout time.Duration, secrets ...string) string {
	msg := err.Error()
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(msg, s) {
				return true
			}
		}
		return false
	}
	switch {
	case errors.Is(err, errTimeout):
		return fmt.Sprintf("the system keyring did not answer within %s; it may be waiting for an unlock prompt, so unlock it and try again", timeout)
	case errors.Is(err, errBusy):
		return fmt.Sprintf("an earlier keyring request has not finished after %s; it may be waiting for an unlock prompt, so unlock the keyring and try again", timeout)
	case errors.Is(err, ErrReadBack):
		return "the keyring stored a different value than was written (it may truncate large values); nothing was changed in the config, try again or report this with your keyring's name"
	case errors.Is(err, ErrCorrupt):
		return "the stored value is incomplete or damaged (an earlier write was probably interrupted); sign in to this profile again"
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return "the value is larger than the keyring accepts; report this, as Token Desk splits values to stay under the limit"
	case errors.Is(err, errNoBus), has(`"dbus-launch"`, "couldn't determine address of session bus"):
		return "the system keyring is not reachable: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset); start Token Desk from a desktop session (or under dbus-run-session) with gnome-keyring or KWallet's Secret Service running, then try again"
	case has("was not provided by any .service files", "ServiceUnknown", "org.freedesktop.secrets was not provided"):
		return "no Secret Service is running on the D-Bus session bus; install and start gnome-keyring (or enable KWallet's Secret Service), then try again"
	case has("failed to unlock correct collection", "Prompt dismissed", "IsLocked"):
		return "the login keyring is locked; unlock the login keyring (e.g. log in to the desktop session or run `gnome-keyring-daemon --unlock`), then try again"
	case has("dial unix", "connect: ", "connection refused", "dbus: authentication failed"):
		return "the D-Bus session bus named by DBUS_SESSION_BUS_ADDRESS is not reachable; restart the desktop session or fix DBUS_SESSION_BUS_ADDRESS, make sure gnome-keyring or KWallet's Secret Service runs, then try again"
	case has("User interaction is not allowed", "exit status 36"):
		return "the macOS login keychain is locked; unlock it in Keychain Access (or log in again), then try again"
	case has("exit status 128", "User canceled", "user canceled"):
		return "access to the macOS keychain item was denied; choose Allow when macOS asks, then try again"
	case has("logon session does not exist"):
		return "Windows Credential Manager is not available in this logon session (a service or network logon); run Token Desk in an interactive desktop session"
	case has("The stub received bad data"):
		return "Windows Credential Manager rejected the value as too large; report this, as Token Desk splits values to stay under the limit"
	}
	return fmt.Sprintf("the system keyring failed (%s); make sure it is installed, running and unlocked, then try again", redact(msg, secrets...))
}

// redact replaces every occurrence of a non-trivial secret in s.
func redact(s string, secrets ...string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}
