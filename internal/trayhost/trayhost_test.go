//go:build linux

package trayhost

import (
	"os"
	"testing"

	"github.com/godbus/dbus/v5"
)

// TestAvailableFollowsTheWatcher runs against the private session bus the
// test command starts: no tray host at first, then one that this test
// registers itself.
func TestAvailableFollowsTheWatcher(t *testing.T) {
	if os.Getenv("TOKENDESK_REAL_KEYRING") != "1" {
		t.Skip("needs the private D-Bus session of scripts/with-session.sh")
	}
	if Available() {
		t.Fatal("reported a tray host on a bus that has none")
	}
	conn, err := dbus.SessionBusPrivate()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		t.Fatal(err)
	}
	if err := conn.Hello(); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(WatcherName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("could not own %s: %v %v", WatcherName, reply, err)
	}
	if !Available() {
		t.Fatal("did not see the tray host")
	}
}

func TestNoBusMeansNoTray(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	if Available() {
		t.Fatal("no session bus, yet a tray was reported")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	if Available() {
		t.Fatal("a dead bus, yet a tray was reported")
	}
}
