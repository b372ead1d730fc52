package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/assets"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// twoProfiles is "acme" on production and the local sandbox's "demo".
func twoProfiles() []storage.Profile {
	demo := testProfile("demo")
	demo.Demo = true
	prod := testProfile("acme")
	prod.Environment = "production"
	return []storage.Profile{prod, demo}
}

func twoStatuses() map[string]keeper.Status {
	return map[string]keeper.Status{"acme": validStatus(oauth.Production), "demo": validStatus(oauth.Demo)}
}

// TestBackgroundProfileDeathRaisesAlarm: defect 8.2. The demo session dies
// while acme is shown: the dialog, the notification, the tray icon, the
// title and the overview all say so at once, and "Log in now" logs in to
// the dead profile.
func TestBackgroundProfileDeathRaisesAlarm(t *testing.T) {
	a := &trayApp{App: test.NewTempApp(t)}
	p := &fakeProfiles{profiles: twoProfiles(), sessions: map[string]*fakeSession{}}
	for name, st := range twoStatuses() {
		st.Profile = name
		p.sessions[name] = newFakeSession(st)
	}
	var notes []*fyne.Notification
	m := newMainWindow(a, p, Options{Now: func() time.Time { return t0 }, Initial: "acme"}, func(m *MainWindow) {
		m.notify = func(n *fyne.Notification) { notes = append(notes, n) }
		m.spawn = func(f func()) { f() }
		syncSeams(m)
	})
	defer m.Close()
	if m.profile != "acme" || len(notes) != 0 || a.icons[len(a.icons)-1] != assets.TrayOK {
		t.Fatalf("before: profile %q, %d notes", m.profile, len(notes))
	}

	dead := reloginStatus()
	dead.Profile, dead.DiedAt = "demo", t0
	p.sessions["demo"].push(dead)

	if m.profile != "acme" {
		t.Fatalf("the alarm switched the shown profile to %q", m.profile)
	}
	if len(notes) != 1 || !strings.Contains(notes[0].Title, "log in again (demo)") {
		t.Fatalf("notifications: %v", notes)
	}
	assertContains(t, "dialog", shown(m), "The DocuSign session of profile demo has ended and cannot be refreshed.")
	if got := m.win.Title(); got != "Token Desk — demo: Re-login required · acme: Session valid" {
		t.Errorf("title = %q", got)
	}
	if a.icons[len(a.icons)-1] != assets.TrayError {
		t.Error("tray icon does not show the background profile's death")
	}
	assertContains(t, "tray status", a.menu.Items[0].Label, "demo (LOCAL SANDBOX): Re-login required")
	row := m.overviewRows["demo"]
	if row.State.Text != "Re-login required" || row.State.Importance != widget.DangerImportance {
		t.Errorf("overview row: %q / %v", row.State.Text, row.State.Importance)
	}

	tapDialogButton(t, m, "Log in now")
	logins := func(name string) int {
		s := p.sessions[name]
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.loginCalls
	}
	eventually(t, "login to demo", func() bool { return m.profile == "demo" && logins("demo") == 1 })
	if logins("acme") != 0 {
		t.Error("logged in to the shown profile instead of the dead one")
	}
	onUI(func() { m.cancelLogin() })
	eventually(t, "login cancelled", func() bool { return !m.loggingIn() })
}

// TestOverviewShowsEveryProfile: one row per profile with its environment,
// state in words and colour, access time left and refresh-token death.
func TestOverviewShowsEveryProfile(t *testing.T) {
	sts := twoStatuses()
	retry := sts["demo"]
	retry.State, retry.Reason = keeper.Retrying, "offline"
	sts["demo"] = retry
	h := newHarnessWith(t, twoProfiles(), sts)
	m := h.m
	if m.tabs.Selected() != m.overviewTab {
		t.Error("with several profiles the window does not open on the overview")
	}
	for _, tc := range []struct {
		name, badge, state string
		imp                widget.Importance
	}{
		{"acme", "PRODUCTION", "Session valid", widget.SuccessImportance},
		{"demo", "LOCAL SANDBOX", "Retrying refresh", widget.WarningImportance},
	} {
		r := m.overviewRows[tc.name]
		if r == nil {
			t.Fatalf("no row for %s", tc.name)
		}
		if r.badge.text.Text != tc.badge || r.State.Text != tc.state || r.State.Importance != tc.imp {
			t.Errorf("%s: badge %q, state %q/%v", tc.name, r.badge.text.Text, r.State.Text, r.State.Importance)
		}
		if r.Access.Text != "Access token: 8h 0m left (expires 17:00 UTC)" {
			t.Errorf("%s access: %q", tc.name, r.Access.Text)
		}
		if r.Death.Text != "Refresh token: dies Wed 1 Apr 09:00 UTC (30d 0h left)" {
			t.Errorf("%s death: %q", tc.name, r.Death.Text)
		}
	}
	h.clock.Advance(time.Hour)
	m.tick()
	assertContains(t, "ticked row", m.overviewRows["demo"].Access.Text, "7h 0m left")

	test.Tap(m.overviewRows["demo"])
	if m.profile != "demo" || m.tabs.Selected() != m.sessionTab {
		t.Fatalf("tapping the row shows %q on tab %q", m.profile, m.tabs.Selected().Text)
	}
	if m.envBadge.text.Text != "LOCAL SANDBOX" || strings.Contains(shown(m), "demo environment") {
		t.Errorf("badge %q", m.envBadge.text.Text)
	}
}

// TestOneProfileOpensOnSession: with a single profile the session is what
// matters; the overview is one tab away.
func TestOneProfileOpensOnSession(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	if h.m.tabs.Selected() != h.m.sessionTab || len(h.m.overviewRows) != 1 {
		t.Fatalf("tab %q, rows %d", h.m.tabs.Selected().Text, len(h.m.overviewRows))
	}
}

// TestTitleAndTrayShowWorstState: the title leads with the profile that
// needs a person most.
func TestTitleAndTrayShowWorstState(t *testing.T) {
	for _, tc := range []struct {
		name  string
		demo  func(*keeper.Status)
		title string
	}{
		{"all fine", func(*keeper.Status) {}, "Token Desk — acme: Session valid"},
		{"background retrying", func(s *keeper.Status) { s.State = keeper.Retrying }, "Token Desk — demo: Retrying refresh · acme: Session valid"},
		{"background expiring", func(s *keeper.Status) { s.ExpiringSoon = true }, "Token Desk — demo: Session ends soon · acme: Session valid"},
		{"background dead", func(s *keeper.Status) { s.State = keeper.ReloginRequired }, "Token Desk — demo: Re-login required · acme: Session valid"},
		{"background signed out", func(s *keeper.Status) { *s = keeper.Status{State: keeper.SignedOut} }, "Token Desk — demo: Signed out · acme: Session valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts := twoStatuses()
			st := sts["demo"]
			tc.demo(&st)
			sts["demo"] = st
			h := newHarnessWith(t, twoProfiles(), sts)
			if got := h.m.win.Title(); got != tc.title {
				t.Errorf("title = %q, want %q", got, tc.title)
			}
		})
	}
}

// TestOtherProfilesOpenInTheBackground: only the shown profile's session is
// opened before the first frame (each opening may read the keyring); the
// others open off the main goroutine, and one chosen before that finished
// opens at once.
func TestOtherProfilesOpenInTheBackground(t *testing.T) {
	a := test.NewTempApp(t)
	profiles := append(twoProfiles(), testProfile("third"))
	p := &fakeProfiles{profiles: profiles, sessions: map[string]*fakeSession{}}
	for _, pr := range profiles {
		st := validStatus(oauth.Demo)
		st.Profile = pr.Name
		p.sessions[pr.Name] = newFakeSession(st)
	}
	dead := reloginStatus()
	dead.Profile = "third"
	p.sessions["third"] = newFakeSession(dead)
	var queued []func() func()
	m := newMainWindow(a, p, Options{Now: func() time.Time { return t0 }, Initial: "acme"}, func(m *MainWindow) {
		m.notify = func(*fyne.Notification) {}
		syncSeams(m)
		m.background = func(open func() func()) { queued = append(queued, open) }
	})
	defer m.Close()
	if strings.Join(p.opened, ",") != "acme" || len(queued) != 1 {
		t.Fatalf("while building the window: opened %v, %d background runs", p.opened, len(queued))
	}
	if got := m.overviewRows["demo"].State.Text; got != "Opening…" {
		t.Errorf("row of a profile still opening: %q", got)
	}
	test.Tap(m.overviewRows["demo"].Open)
	if m.profile != "demo" || m.StateLabel.Text != "Session valid" {
		t.Fatalf("a profile chosen while opening shows %q: %q", m.profile, m.StateLabel.Text)
	}
	queued[0]()()
	if got := strings.Join(p.opened, ","); !strings.HasPrefix(got, "acme,demo,") || !strings.HasSuffix(got, ",third") {
		t.Errorf("opened %s", got)
	}
	if m.overviewRows["third"].State.Text != "Re-login required" || !strings.Contains(m.win.Title(), "third: Re-login required") {
		t.Errorf("after the background opening: row %q, title %q", m.overviewRows["third"].State.Text, m.win.Title())
	}
}

// TestBackgroundExpiringSoonPrompts: a profile that is not shown and whose
// refresh token dies within the warning horizon asks for a login too, once.
func TestBackgroundExpiringSoonPrompts(t *testing.T) {
	h := newHarnessWith(t, twoProfiles(), twoStatuses())
	if h.m.profile != "acme" || len(h.notes) != 0 {
		t.Fatalf("shown %q, %d notes", h.m.profile, len(h.notes))
	}
	st := validStatus(oauth.Demo)
	st.Profile, st.ExpiringSoon, st.RefreshExpiresAt = "demo", true, t0.Add(36*time.Hour)
	demo := h.profiles.sessions["demo"]
	demo.push(st)
	demo.push(st)
	if len(h.notes) != 1 || !strings.Contains(h.notes[0].Title, "session ends soon (demo)") {
		t.Fatalf("notifications: %d %v", len(h.notes), h.notes)
	}
	assertContains(t, "dialog", shown(h.m), "The DocuSign session of profile demo ends Tue 3 Mar 21:00 UTC (in 1d 12h).")
	if got := h.m.win.Title(); got != "Token Desk — demo: Session ends soon · acme: Session valid" {
		t.Errorf("title %q", got)
	}
}
