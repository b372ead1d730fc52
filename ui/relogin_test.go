package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tokendesk/tokendesk/assets"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

func reloginStatus() keeper.Status {
	st := validStatus(oauth.Demo)
	st.State, st.Reason, st.ErrorCode = keeper.ReloginRequired, "The refresh token expired.", "invalid_grant"
	return st
}

func TestReloginPromptOncePerEpisode(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	if len(h.notes) != 0 || topDialog(m) != nil {
		t.Fatal("prompted while the session is fine")
	}
	h.sess.push(reloginStatus())
	if len(h.notes) != 1 {
		t.Fatalf("notifications = %d, want 1", len(h.notes))
	}
	assertContains(t, "notification", h.notes[0].Title, "log in again (acme)")
	assertContains(t, "notification", h.notes[0].Content, "The refresh token expired.")
	assertContains(t, "dialog", shown(m), "has ended and cannot be refreshed")

	h.sess.push(reloginStatus()) // same episode: no new prompt
	if len(h.notes) != 1 {
		t.Fatalf("prompted again in the same episode (%d notifications)", len(h.notes))
	}
	onUI(func() { tapDialogButton(t, m, "Log in now") })
	eventually(t, "login pane", func() bool { return m.LoginURLLabel.Text == h.sess.loginURL })
	onUI(func() { m.cancelLogin() })
	eventually(t, "login cancelled", func() bool { return !m.loggingIn() })

	h.sess.push(validStatus(oauth.Demo)) // episode over
	h.sess.push(reloginStatus())         // a new one
	if len(h.notes) != 2 {
		t.Fatalf("notifications = %d, want 2 after a new episode", len(h.notes))
	}
}

func TestExpiringSoonPrompt(t *testing.T) {
	st := validStatus(oauth.Demo)
	st.RefreshExpiresAt, st.ExpiringSoon = t0.Add(36*time.Hour), true
	h := newHarness(t, st)
	if len(h.notes) != 1 {
		t.Fatalf("notifications = %d, want 1 (refresh token dies within the horizon)", len(h.notes))
	}
	assertContains(t, "notification", h.notes[0].Title, "session ends soon")
	assertContains(t, "dialog", shown(h.m), "ends Tue 3 Mar 21:00 UTC (in 1d 12h)")
	tapDialogButton(t, h.m, "Later")
	if topDialog(h.m) != nil {
		t.Fatal("dialog still shown after Later")
	}
	h.sess.push(st)
	if len(h.notes) != 1 || topDialog(h.m) != nil {
		t.Error("prompted again for the same episode")
	}
}

func TestReloginUsesAppNotificationByDefault(t *testing.T) {
	a := test.NewTempApp(t)
	s := newFakeSession(reloginStatus())
	p := &fakeProfiles{sessions: map[string]*fakeSession{"acme": s}}
	p.profiles = append(p.profiles, testProfile("acme"))
	var m *MainWindow
	test.AssertNotificationSent(t, fyne.NewNotification("Token Desk: log in again (acme)",
		"The DocuSign session of profile acme has ended and cannot be refreshed. The refresh token expired. Open Token Desk and choose Log in."),
		func() { onUI(func() { m = NewMainWindow(a, p, Options{Now: func() time.Time { return t0 }}) }) })
	onUI(m.Close)
}

// trayApp is a test app with a system tray.
type trayApp struct {
	fyne.App
	menu  *fyne.Menu
	icons []fyne.Resource
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu)    { a.menu = m }
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) { a.icons = append(a.icons, r) }
func (a *trayApp) SetSystemTrayWindow(fyne.Window)   {}

func TestTrayIconAndMenu(t *testing.T) {
	a := &trayApp{App: test.NewTempApp(t)}
	s := newFakeSession(validStatus(oauth.Demo))
	p := &fakeProfiles{sessions: map[string]*fakeSession{"acme": s}}
	p.profiles = append(p.profiles, testProfile("acme"))
	m := newMainWindow(a, p, Options{Now: func() time.Time { return t0 }}, func(m *MainWindow) {
		m.notify = func(*fyne.Notification) {}
		m.spawn = func(f func()) { f() }
		syncSeams(m)
	})
	defer m.Close()
	if a.menu == nil || a.icons[len(a.icons)-1] != assets.TrayOK {
		t.Fatal("tray not set up with the ok icon")
	}
	var labels []string
	for _, it := range a.menu.Items {
		labels = append(labels, it.Label)
	}
	got := strings.Join(labels, "|")
	for _, want := range []string{"acme (DEMO): Session valid, token until 17:00 UTC", "Copy access token", "Refresh now", "Log in…", "Show window", "Quit Token Desk"} {
		assertContains(t, "tray menu", got, want)
	}
	s.push(reloginStatus())
	if a.icons[len(a.icons)-1] != assets.TrayError {
		t.Error("tray icon not switched to error on re-login")
	}
	assertContains(t, "tray status", a.menu.Items[0].Label, "Re-login required")
	st := validStatus(oauth.Demo)
	st.State = keeper.Retrying
	s.push(st)
	if a.icons[len(a.icons)-1] != assets.TrayWarn {
		t.Error("tray icon not switched to warning while retrying")
	}
	// Copy from the tray menu.
	s.push(validStatus(oauth.Demo))
	a.menu.Items[2].Action()
	if got := a.Clipboard().Content(); got != secretToken {
		t.Errorf("tray copy put %q", got)
	}
}

func TestCloseHidesWithTray(t *testing.T) {
	a := &trayApp{App: test.NewTempApp(t)}
	s := newFakeSession(validStatus(oauth.Demo))
	p := &fakeProfiles{sessions: map[string]*fakeSession{"acme": s}}
	p.profiles = append(p.profiles, testProfile("acme"))
	var notes []*fyne.Notification
	m := newMainWindow(a, p, Options{Now: func() time.Time { return t0 }}, func(m *MainWindow) {
		m.notify = func(n *fyne.Notification) { notes = append(notes, n) }
		syncSeams(m)
	})
	defer m.Close()
	m.Show()
	if m.stopTick == nil {
		t.Fatal("countdown not running while shown")
	}
	m.hide() // what the close intercept does
	if m.stopTick != nil {
		t.Error("countdown still running while hidden")
	}
	if len(notes) != 1 || !strings.Contains(notes[0].Title, "keeps running") {
		t.Errorf("notes = %v", notes)
	}
	m.hide()
	if len(notes) != 1 {
		t.Error("told twice")
	}
}
