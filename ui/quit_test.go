package ui

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// fakeAutostart records the switch's calls.
type fakeAutostart struct {
	on, offered       bool
	enables, disables int
	marks             int
	enableErr         error
}

func (f *fakeAutostart) Status() (bool, string, error) {
	return f.on, "/autostart/io.tokendesk.app.desktop", nil
}
func (f *fakeAutostart) Enable() (string, error) {
	f.enables++
	if f.enableErr != nil {
		return "", f.enableErr
	}
	f.on = true
	return "/autostart/io.tokendesk.app.desktop", nil
}
func (f *fakeAutostart) Disable() error { f.disables++; f.on = false; return nil }
func (f *fakeAutostart) Offered() bool  { return f.offered }
func (f *fakeAutostart) MarkOffered() error {
	f.marks++
	f.offered = true
	return nil
}

// menuItem finds an item of the window's app menu by its label.
func menuItem(t *testing.T, m *MainWindow, label string) *fyne.MenuItem {
	t.Helper()
	mm := m.win.MainMenu()
	if mm == nil {
		t.Fatal("the window has no app menu")
	}
	for _, menu := range mm.Items {
		for _, it := range menu.Items {
			if it.Label == label {
				return it
			}
		}
	}
	t.Fatalf("no menu item %q", label)
	return nil
}

// TestQuitMenuAndShortcut: issue 9. The window has a Quit action, in the
// app menu and on Ctrl+Q, that ends the app (closing the window does not).
func TestQuitMenuAndShortcut(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	quits := 0
	m := h.build(Options{Quit: func() { quits++ }})
	it := menuItem(t, m, "Quit Token Desk")
	if !it.IsQuit {
		t.Error("the Quit item is not marked IsQuit")
	}
	it.Action()
	m.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault})
	if quits != 2 {
		t.Errorf("Quit ran %d times, want 2 (menu, Ctrl+Q)", quits)
	}
}

// TestStartAtLoginSwitch: issue 9. The app menu's switch shows whether
// Token Desk starts at login, switches it on and off, and says what failed.
func TestStartAtLoginSwitch(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	as := &fakeAutostart{}
	m := h.build(Options{Autostart: as})
	it := menuItem(t, m, autostartLabel)
	if it.Checked {
		t.Fatal("switch ticked while no entry exists")
	}
	for _, tc := range []struct {
		want    bool
		notice  string
		enables int
	}{
		{true, "starts in the background when you log in to this computer (/autostart/io.tokendesk.app.desktop)", 1},
		{false, "no longer starts when you log in", 1},
	} {
		it.Action()
		if as.on != tc.want || it.Checked != tc.want || as.enables != tc.enables {
			t.Errorf("switch to %v: entry %v, ticked %v, enables %d", tc.want, as.on, it.Checked, as.enables)
		}
		assertContains(t, "notice", m.NoticeLabel.Text, tc.notice)
	}
	as.enableErr = errors.New("permission denied")
	it.Action()
	if it.Checked {
		t.Error("ticked although the entry could not be written")
	}
	assertContains(t, "notice", m.NoticeLabel.Text, "Could not switch on start at login: permission denied")
}

// TestAutostartOfferedOnceAfterRealLogin: after the first login of a real
// profile the window asks once; it never switches autostart on by itself,
// and a local sandbox login does not count.
func TestAutostartOfferedOnceAfterRealLogin(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile storage.Profile
		offer   bool
	}{
		{"production", storage.Profile{Name: "acme", Environment: "production", IntegrationKey: goodKey}, true},
		{"developer demo", storage.Profile{Name: "acme", Environment: "demo", IntegrationKey: goodKey}, true},
		{"local sandbox", storage.Profile{Name: "acme", Environment: "http://127.0.0.1:9999", IntegrationKey: goodKey}, false},
		{"demo mode", storage.Profile{Name: "acme", Environment: "http://127.0.0.1:9999", IntegrationKey: goodKey, Demo: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, signedOut())
			h.profiles.profiles[0] = tc.profile
			as := &fakeAutostart{}
			m := h.build(Options{Autostart: as})
			login := func() {
				onUI(func() { m.startLogin() })
				eventually(t, "login pane", func() bool { return m.loggingIn() })
				h.sess.loginResult <- nil
				eventually(t, "login done", func() bool { return !m.loggingIn() })
			}
			login()
			asked := underUI(func() bool { return m.interact.offer != nil })
			if asked != tc.offer {
				t.Fatalf("offered %v, want %v", asked, tc.offer)
			}
			if as.enables != 0 || as.on {
				t.Fatal("autostart switched on without a yes")
			}
			if !tc.offer {
				return
			}
			assertContains(t, "offer", shown(m), "Start Token Desk at login?")
			onUI(func() { tapDialogButton(t, m, "Not now") })
			if as.marks != 1 || as.enables != 0 {
				t.Errorf("after Not now: marks %d, enables %d", as.marks, as.enables)
			}
			login()
			if underUI(func() bool { return m.interact.offer != nil }) {
				t.Error("asked a second time")
			}
		})
	}
}

// TestAutostartOfferYes: saying yes switches it on, and the switch shows it.
func TestAutostartOfferYes(t *testing.T) {
	h := newHarness(t, signedOut())
	h.profiles.profiles[0].Environment = "production"
	as := &fakeAutostart{}
	m := h.build(Options{Autostart: as})
	onUI(func() { m.startLogin() })
	eventually(t, "login pane", func() bool { return m.loggingIn() })
	h.sess.loginResult <- nil
	eventually(t, "offer", func() bool { return m.interact.offer != nil })
	onUI(func() { tapDialogButton(t, m, "Start at login") })
	if !as.on || as.enables != 1 || !menuItem(t, m, autostartLabel).Checked {
		t.Errorf("after yes: on %v, enables %d", as.on, as.enables)
	}
	if !strings.Contains(m.NoticeLabel.Text, "starts in the background") {
		t.Errorf("notice %q", m.NoticeLabel.Text)
	}
}

// TestSystemAutostart: the real switch writes and removes this system's
// XDG autostart entry, and the offer is remembered in the settings.
func TestSystemAutostart(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the XDG entry is Linux's")
	}
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	t.Setenv("TOKENDESK_CONFIG_DIR", "")
	s := SystemAutostart{Store: storage.Open(t.TempDir())}
	if on, _, err := s.Status(); on || err != nil {
		t.Fatalf("before: on %v, %v", on, err)
	}
	where, err := s.Enable()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(xdg, "autostart", "io.tokendesk.app.desktop"); where != want {
		t.Errorf("entry at %q, want %q", where, want)
	}
	if b, err := os.ReadFile(where); err != nil || !strings.Contains(string(b), "--background") {
		t.Errorf("entry: %v\n%s", err, b)
	}
	if on, _, err := s.Status(); !on || err != nil {
		t.Errorf("after Enable: on %v, %v", on, err)
	}
	if err := s.Disable(); err != nil {
		t.Fatal(err)
	}
	if on, _, _ := s.Status(); on {
		t.Error("still on after Disable")
	}
	if s.Offered() {
		t.Fatal("offered before any offer")
	}
	if err := s.MarkOffered(); err != nil || !s.Offered() {
		t.Errorf("offer not remembered: %v", err)
	}
	again := SystemAutostart{Store: storage.Open(s.Store.Dir())}
	if !again.Offered() {
		t.Error("offer not kept in the config file")
	}
}

// TestTabShortcuts: Ctrl+1… select the tabs (the View menu lists them).
func TestTabShortcuts(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	sc := m.win.Canvas().(fyne.Shortcutable)
	for i, tab := range m.tabs.Items {
		sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyName(string(rune('1' + i))), Modifier: fyne.KeyModifierShortcutDefault})
		if m.tabs.Selected() != tab {
			t.Errorf("Ctrl+%d selected %q, want %q", i+1, m.tabs.Selected().Text, tab.Text)
		}
		if it := menuItem(t, m, tab.Text); it.Shortcut == nil {
			t.Errorf("View menu item %q has no shortcut", tab.Text)
		}
	}
}
