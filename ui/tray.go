package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/tokendesk/tokendesk/assets"
	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/keeper"
)

// setupTray installs the system-tray menu and icon when the app has a tray.
// With a tray, closing the window only hides it so refreshes continue;
// without one, closing the window quits.
func (m *MainWindow) setupTray() {
	da, ok := m.app.(desktop.App)
	if !ok {
		m.win.SetMaster()
		return
	}
	m.tray = da
	m.trayStatusItem = fyne.NewMenuItem("Token Desk", nil)
	m.trayStatusItem.Disabled = true
	quit := fyne.NewMenuItem("Quit Token Desk", m.quit)
	quit.IsQuit = true
	m.TrayMenu = fyne.NewMenu("Token Desk",
		m.trayStatusItem,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Copy access token", func() { m.copyToken(m.selectedFormat()) }),
		fyne.NewMenuItem("Refresh now", m.refreshNow),
		fyne.NewMenuItem("Log in…", m.trayLogin),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Show window", m.Show),
		quit,
	)
	da.SetSystemTrayMenu(m.TrayMenu)
	m.win.SetCloseIntercept(m.hide)
}

// trayIconFor picks the tray icon for the worst profile's condition.
func (m *MainWindow) trayIconFor() fyne.Resource {
	sev := 0
	if w := m.worst(); w != nil {
		sev = w.severity()
	}
	switch {
	case sev >= 4:
		return assets.TrayError
	case sev > 0:
		return assets.TrayWarn
	}
	return assets.TrayOK
}

// trayStatusLine is the tray menu's first, disabled line: the shown
// profile, and the worst one when that is another.
func (m *MainWindow) trayStatusLine() string {
	if m.profile == "" {
		return "No profile"
	}
	line := m.profileLine(m.watch[m.profile])
	if w := m.worst(); w != nil && w.name != m.profile && w.severity() > m.shownSeverity() {
		line = m.profileLine(w) + " · " + line
	}
	return line
}

// profileLine is one profile's condition in a line.
func (m *MainWindow) profileLine(w *watched) string {
	if w == nil {
		return m.profile + ": " + m.look().title
	}
	st := w.status
	p, _ := m.profileNamed(w.name)
	badge, _ := badgeFor(st.Environment, p.Demo)
	line := w.name + " (" + badge + "): " + w.look().title
	if st.State == keeper.Valid && !st.AccessExpiresAt.IsZero() {
		line += ", token until " + humanize.When(st.AccessExpiresAt, m.opt.Now())
	}
	if episodeOf(st) == episodeExpiring {
		line += " — log in again soon"
	}
	return line
}

// trayLogin logs in to the profile that needs it most (the shown one when
// none does), from the tray.
func (m *MainWindow) trayLogin() {
	m.Show()
	if w := m.worst(); w != nil && w.name != m.profile && episodeOf(w.status) != "" && w.sess != nil {
		m.showProfile(w.name)
	}
	m.startLogin()
}

func (m *MainWindow) updateTray() {
	if m.tray == nil {
		return
	}
	m.trayStatusItem.Label = m.trayStatusLine()
	for _, it := range m.TrayMenu.Items {
		switch it.Label {
		case "Copy access token", "Refresh now":
			it.Disabled = !m.canUseToken()
		case "Log in…":
			it.Disabled = m.sess == nil && (m.worst() == nil || m.worst().sess == nil)
		}
	}
	m.TrayMenu.Refresh()
	if icon := m.trayIconFor(); icon != m.trayIcon {
		m.trayIcon = icon
		m.tray.SetSystemTrayIcon(icon)
	}
}
