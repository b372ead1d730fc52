package storage

import (
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// TestKeyringErrorMapping feeds go-keyring failures seen in the field (a
// locked collection, a dismissed prompt, no Secret Service, a dead bus)
// through the mock and checks the sentence a person gets.
func TestKeyringErrorMapping(t *testing.T) {
	const secret = "rt-very-secret-value"
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"no bus, no dbus-launch", errors.New(`exec: "dbus-launch": executable file not found in $PATH`),
			[]string{"not reachable: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)", "gnome-keyring or KWallet"}},
		{"no secret service", errors.New("The name org.freedesktop.secrets was not provided by any .service files"),
			[]string{"no Secret Service is running", "install and start gnome-keyring"}},
		{"dead socket", errors.New("dial unix /tmp/x: connect: no such file or directory"),
			[]string{"DBUS_SESSION_BUS_ADDRESS is not reachable", "then try again"}},
		{"locked", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"),
			[]string{"locked", "unlock the login keyring", "gnome-keyring-daemon --unlock"}},
		{"macOS locked", errors.New("exit status 36"), []string{"keychain is locked"}},
		{"macOS denied", errors.New("exit status 128"), []string{"denied"}},
		{"windows no logon session", errors.New("A specified logon session does not exist. It may already have been terminated."),
			[]string{"interactive desktop session"}},
		{"too big", keyring.ErrSetDataTooBig, []string{"larger than the keyring accepts"}},
		{"unknown, quoting the secret", errors.New("strange failure near " + secret),
			[]string{"the system keyring failed (strange failure near [redacted])", "installed, running and unlocked"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInitWithError(tt.err)
			k := newKeyring(testNS, 0, goKeyring{}, newGate(), noPreflight)
			_, gerr := k.Get("prod", KeyRefreshToken)
			serr := k.Set("prod", KeyRefreshToken, secret)
			derr := k.Delete("prod", KeyRefreshToken)
			for op, err := range map[string]error{"get": gerr, "set": serr, "delete": derr} {
				var ke *KeyringError
				if !errors.As(err, &ke) || !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) {
					t.Fatalf("%s: %T %v, want *KeyringError matching ErrUnavailable", op, err, err)
				}
				if ke.Op != op || ke.Profile != "prod" || ke.Key != KeyRefreshToken || !errors.Is(err, tt.err) {
					t.Fatalf("%s: fields %+v", op, ke)
				}
				msg := err.Error()
				// Only Set knows the value and can scrub it from a cause.
				if op == "set" && strings.Contains(msg, secret) {
					t.Fatalf("%s: message leaks the secret: %s", op, msg)
				}
				if !strings.Contains(msg, `refresh token of profile "prod"`) {
					t.Errorf("%s: message does not name the secret: %s", op, msg)
				}
				for _, w := range tt.want {
					if op != "set" {
						w = strings.ReplaceAll(w, "[redacted]", secret)
					}
					if !strings.Contains(msg, w) {
						t.Errorf("%s: message %q lacks %q", op, msg, w)
					}
				}
			}
		})
	}
}

func TestKeyringNotFoundMapping(t *testing.T) {
	keyring.MockInitWithError(keyring.ErrNotFound)
	k := newKeyring(testNS, 0, goKeyring{}, newGate(), noPreflight)
	if _, err := k.Get("p", KeyAccessToken); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("Get: %v", err)
	}
	if err := k.Delete("p", KeyAccessToken); err != nil {
		t.Fatalf("Delete: %v", err)
	}
}
