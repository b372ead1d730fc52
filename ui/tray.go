package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/tokendesk/tokendesk/assets"
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
	quit := fyne.NewMenuItem("Quit Token Desk", func() { m.app.Quit() })
	quit.IsQuit = true
	m.TrayMenu = fyne.NewMenu("Token Desk",
		m.trayStatusItem,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Copy access token", func() { m.copyToken(m.selectedFormat()) }),
		fyne.NewMenuItem("Refresh now", m.refreshNow),
		fyne.NewMenuItem("Log in…", func() { m.Show(); m.startLogin() }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Show window", m.Show),
		quit,
	)
	da.SetSystemTrayMenu(m.TrayMenu)
	m.win.SetCloseIntercept(m.hide)
}

// trayIconFor picks the tray icon for a status.
func (m *MainWindow) trayIconFor() fyne.Resource {
	st := m.status
	switch {
	case m.needsLogin() == episodeRelogin:
		return assets.TrayError
	case m.needsLogin() != "", st.State == keeper.Retrying, st.State == keeper.SignedOut, st.StorageError != "":
		return assets.TrayWarn
	}
	return assets.TrayOK
}

// trayStatusLine is the tray menu's first, disabled line.
func (m *MainWindow) trayStatusLine() string {
	if m.profile == "" {
		return "No profile"
	}
	st := m.status
	line := m.profile + " (" + st.Environment.Label() + "): " + lookFor(st).title
	if st.State == keeper.Valid && st.Session != nil {
		line += ", token until " + formatClock(st.Session.AccessExpiresAt)
	}
	if m.needsLogin() == episodeExpiring {
		line += " — log in again soon"
	}
	return line
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
			it.Disabled = m.sess == nil
		}
	}
	m.TrayMenu.Refresh()
	if icon := m.trayIconFor(); icon != m.trayIcon {
		m.trayIcon = icon
		m.tray.SetSystemTrayIcon(icon)
	}
}
