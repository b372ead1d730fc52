package storage

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// backend is the raw keyring the Keyring type drives: one value per
// (service, user). It reports a missing entry as keyring.ErrNotFound.
// Everything goes through it so that tests can fake a hanging or broken
// keyring, and so a native backend can replace go-keyring later.
type backend interface {
	Get(service, user string) (string, error)
	Set(service, user, value string) error
	Delete(service, user string) error
}

// goKeyring is the backend on github.com/zalando/go-keyring (Secret Service
// on Linux, Keychain on macOS, Credential Manager on Windows).
type goKeyring struct{}

func (goKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (goKeyring) Set(service, user, v string) error        { return keyring.Set(service, user, v) }
func (goKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// errTimeout marks a keyring call that did not return in time.
var errTimeout = errors.New("keyring call timed out")

// errBusy marks a call refused because an earlier, timed-out call is still
// running inside the keyring.
var errBusy = errors.New("an earlier keyring call is still running")

// errNoBus marks the refusal to call the Secret Service without a session bus.
var errNoBus = errors.New("no D-Bus session bus")

// defaultGate serialises all calls into go-keyring's process-wide provider.
var defaultGate = newGate()

// gate lets one keyring call run at a time. A call that times out keeps the
// gate until it really returns, so a late write can never land after (and
// overwrite) a newer one.
type gate chan struct{}

func newGate() gate { return make(gate, 1) }

// call runs fn in its own goroutine and waits at most timeout for it (and at
// most timeout for an earlier call to leave the gate). On timeout the call is
// abandoned, not cancelled: go-keyring cannot cancel a request in flight.
func (g gate) call(timeout time.Duration, fn func() (string, error)) (string, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case g <- struct{}{}:
	case <-timer.C:
		return "", errBusy
	}
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-g }()
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-timer.C:
		return "", errTimeout
	}
}

// sessionBusPreflight refuses to use the Secret Service when no session bus
// can be found without autolaunching one: godbus would otherwise start a
// dbus-daemon (and with it gnome-keyring) that outlives Token Desk and cannot
// unlock anything. It mirrors godbus's own discovery: the environment
// variable, then $XDG_RUNTIME_DIR/bus and $XDG_RUNTIME_DIR/dbus-session.
func sessionBusPreflight() error {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return nil
	}
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if strings.Contains(addr, "autolaunch:") {
		return errNoBus
	}
	if addr != "" {
		return nil
	}
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" {
		for _, name := range []string{"bus", "dbus-session"} {
			if _, err := os.Stat(filepath.Join(rt, name)); err == nil {
				return nil
			}
		}
	}
	return errNoBus
}
