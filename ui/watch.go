package ui

import (
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// watched is one profile's subscription and latest status.
type watched struct {
	name    string
	pending bool    // its session is still being opened in the background
	sess    Session // nil when the session could not be opened
	openErr string  // why it could not be opened
	unsub   func()
	status  keeper.Status
}

// look is how the profile's state is presented.
func (w *watched) look() stateLook {
	if w.pending {
		return openingLook
	}
	if w.openErr != "" {
		return unavailableLook
	}
	return lookFor(w.status)
}

// open subscribes to a profile's session; a failure to open it is kept as
// the profile's openErr.
func (m *MainWindow) open(name string) *watched {
	sess, err := m.profiles.Session(name)
	return m.watched(name, sess, err)
}

// watched subscribes to an opened session (or keeps why it could not be
// opened) as the named profile's.
func (m *MainWindow) watched(name string, sess Session, err error) *watched {
	w := &watched{name: name, status: keeper.Status{Profile: name, State: keeper.SignedOut}}
	m.watch[name] = w
	if err != nil {
		// Not "signed out": the session may be intact, just unreadable now.
		w.openErr = err.Error()
		m.fillStatus(&w.status)
		return w
	}
	w.sess = sess
	w.unsub = sess.Subscribe(func(st keeper.Status) {
		runOnMain(func() { m.onStatus(name, sess, st) })
	})
	w.status = sess.Status()
	m.fillStatus(&w.status)
	return w
}

// openingLook presents a profile whose session is still being read.
var openingLook = stateLook{"Opening…", "Reading this profile's stored session.", widget.MediumImportance, theme.ColorNameDisabled}

// openLater puts a placeholder for a profile whose session startOpens will
// open in the background.
func (m *MainWindow) openLater(name string) {
	w := &watched{name: name, pending: true, status: keeper.Status{Profile: name, State: keeper.SignedOut}}
	m.fillStatus(&w.status)
	m.watch[name] = w
	m.toOpen = append(m.toOpen, name)
}

// startOpens opens the placeholders' sessions off the main goroutine, also
// when the app starts hidden in the tray, and then subscribes to them on it.
func (m *MainWindow) startOpens() {
	if len(m.toOpen) == 0 {
		return
	}
	names := m.toOpen
	m.toOpen = nil
	profiles := m.profiles
	m.background(func() func() {
		sessions := make([]Session, len(names))
		errs := make([]error, len(names))
		for i, name := range names {
			sessions[i], errs[i] = profiles.Session(name)
		}
		return func() {
			for i, name := range names {
				if w := m.watch[name]; w != nil && w.pending {
					m.install(name, sessions[i], errs[i])
				}
			}
		}
	})
}

// install puts a background-opened session in place of its placeholder.
func (m *MainWindow) install(name string, sess Session, err error) {
	w := m.watched(name, sess, err)
	m.updateOverviewRow(name)
	m.updateGlobal()
	m.checkRelogin(w.name)
}

// stop ends the subscription.
func (w *watched) stop() {
	if w.unsub != nil {
		w.unsub()
		w.unsub = nil
	}
}

// fillStatus names the profile and environment in a status that lacks them.
func (m *MainWindow) fillStatus(st *keeper.Status) {
	if st.Environment == "" {
		if p, ok := m.profileNamed(st.Profile); ok {
			st.Environment = oauth.Environment(p.Environment)
		}
	}
}

// onStatus takes a pushed status of any profile: the shown one is redrawn
// in full; for the others the overview, title and tray follow, and their
// alarms are raised.
func (m *MainWindow) onStatus(name string, sess Session, st keeper.Status) {
	w := m.watch[name]
	if w == nil || w.sess != sess {
		return // an old subscription
	}
	if st.Profile == "" {
		st.Profile = name
	}
	m.fillStatus(&st)
	w.status = st
	if name == m.profile && m.sess == sess {
		m.setStatus(st)
		return
	}
	m.updateOverviewRow(name)
	m.updateGlobal()
	m.checkRelogin(name)
}

// noticeOutdated reports whether a state change makes the notice shown
// under the old state stale: every change does ("Refresh failed" once the
// session recovers, "Signed in." once it died), except the ones a
// successful action itself causes (a login or refresh reaching Valid, a
// refresh starting).
func noticeOutdated(old, cur keeper.State) bool {
	switch {
	case old == cur:
		return false
	case cur == keeper.Valid && (old == keeper.SignedOut || old == keeper.Refreshing):
		return false
	case cur == keeper.Refreshing && old == keeper.Valid:
		return false
	}
	return true
}

// severity ranks a profile's condition for the title and the tray: the
// worst profile is the one that needs a person most.
func (w *watched) severity() int {
	st := w.status
	switch {
	case w.sess != nil && st.State == keeper.ReloginRequired:
		return 4
	case w.openErr != "":
		return 3
	case st.ExpiringSoon, st.StorageError != "", st.State == keeper.Retrying:
		return 2
	case st.State == keeper.SignedOut:
		return 1
	}
	return 0
}

// worst is the profile in the worst condition (the first listed on a tie),
// or nil without profiles.
func (m *MainWindow) worst() *watched {
	var worst *watched
	for _, p := range m.profileList {
		w := m.watch[p.Name]
		if w != nil && (worst == nil || w.severity() > worst.severity()) {
			worst = w
		}
	}
	return worst
}

// windowTitle puts the worst profile's state in the title, then the shown
// profile's, so the taskbar (and a glance at a hidden window's entry) says
// whether every session is healthy.
func (m *MainWindow) windowTitle() string {
	if m.profile == "" {
		return "Token Desk"
	}
	title := "Token Desk — " + m.profile + ": " + m.look().title
	if w := m.worst(); w != nil && w.name != m.profile && w.severity() > m.shownSeverity() {
		title = "Token Desk — " + w.name + ": " + w.look().title + " · " + m.profile + ": " + m.look().title
	}
	return title
}

// shownSeverity is the shown profile's severity.
func (m *MainWindow) shownSeverity() int {
	if w := m.watch[m.profile]; w != nil {
		return w.severity()
	}
	return 0
}

// retryOpen tries again to open the shown profile's session after a failure.
func (m *MainWindow) retryOpen() {
	name := m.profile
	if w := m.watch[name]; w != nil {
		w.stop()
	}
	m.open(name)
	m.profile = ""
	m.selectProfile(name)
}
