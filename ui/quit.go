package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/tokendesk/tokendesk/autostart"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// Autostart backs the window's "Start at login (in the background)" switch.
type Autostart interface {
	// Status reports whether Token Desk starts at login, and where the
	// entry that does it lives.
	Status() (on bool, where string, err error)
	// Enable makes Token Desk start in the background at login.
	Enable() (where string, err error)
	// Disable removes the entry.
	Disable() error
	// Offered reports whether the window has offered to switch it on.
	Offered() bool
	// MarkOffered remembers that it has.
	MarkOffered() error
}

// SystemAutostart is the Autostart of this system (package autostart),
// remembering the offer in the configuration's settings.
type SystemAutostart struct {
	// Store is the user's real configuration.
	Store *storage.Store
}

// Status reports the system's autostart entry.
func (s SystemAutostart) Status() (bool, string, error) { return autostart.Status() }

// Enable writes the entry for this binary and configuration.
func (s SystemAutostart) Enable() (string, error) {
	where, _, err := autostart.EnableSelf()
	return where, err
}

// Disable removes the entry.
func (s SystemAutostart) Disable() error { return autostart.Disable() }

// Offered reads the settings' record of the offer.
func (s SystemAutostart) Offered() bool {
	c, err := s.Store.Load()
	return err != nil || c.Settings.AutostartOffered // unreadable: do not nag
}

// MarkOffered records the offer in the settings.
func (s SystemAutostart) MarkOffered() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Store.Update(ctx, func(c *storage.Config) error {
		c.Settings.AutostartOffered = true
		return nil
	})
}

// interactions is the window's app-level state: the Quit action and the
// start-at-login switch.
type interactions struct {
	// menu is the window's app menu; quitItem and autostartItem are in it.
	menu          *fyne.MainMenu
	quitItem      *fyne.MenuItem
	autostartItem *fyne.MenuItem
	// offer is the one-time "start at login?" question, while shown.
	offer *dialog.ConfirmDialog
}

// autostartLabel is the switch's text.
const autostartLabel = "Start at login (in the background)"

// setupAppMenu gives the window its app menu: Quit (Ctrl+Q), which really
// quits (the keepers stop, unlike closing the window), and the
// start-at-login switch when an Autostart is set.
func (m *MainWindow) setupAppMenu() {
	in := &m.interact
	in.quitItem = fyne.NewMenuItem("Quit Token Desk", m.quit)
	in.quitItem.IsQuit = true
	in.quitItem.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}
	items := []*fyne.MenuItem{}
	if m.opt.Autostart != nil {
		in.autostartItem = fyne.NewMenuItem(autostartLabel, m.toggleAutostart)
		items = append(items, in.autostartItem, fyne.NewMenuItemSeparator())
	}
	items = append(items, in.quitItem)
	in.menu = fyne.NewMainMenu(fyne.NewMenu("Token Desk", items...), m.viewMenu())
	m.win.SetMainMenu(in.menu)
	m.win.Canvas().AddShortcut(in.quitItem.Shortcut, func(fyne.Shortcut) { m.quit() })
	m.updateAutostartItem()
}

// viewMenu switches tabs: Ctrl+1 for the first tab (all profiles), Ctrl+2
// for the next, and so on.
func (m *MainWindow) viewMenu() *fyne.Menu {
	menu := fyne.NewMenu("View")
	if m.tabs == nil {
		return menu
	}
	keys := []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7, fyne.Key8, fyne.Key9}
	for i, tab := range m.tabs.Items {
		if i >= len(keys) {
			break
		}
		tab := tab
		sc := &desktop.CustomShortcut{KeyName: keys[i], Modifier: fyne.KeyModifierShortcutDefault}
		show := func() { m.tabs.Select(tab) }
		it := fyne.NewMenuItem(tab.Text, show)
		it.Shortcut = sc
		menu.Items = append(menu.Items, it)
		m.win.Canvas().AddShortcut(sc, func(fyne.Shortcut) { show() })
	}
	return menu
}

// quit ends the app: the window closes and the keepers stop.
func (m *MainWindow) quit() {
	if m.opt.Quit != nil {
		m.opt.Quit()
		return
	}
	m.app.Quit()
}

// updateAutostartItem ticks the switch when the entry exists.
func (m *MainWindow) updateAutostartItem() {
	it := m.interact.autostartItem
	if it == nil {
		return
	}
	on, _, err := m.opt.Autostart.Status()
	it.Checked = on && err == nil
	m.interact.menu.Refresh()
}

// toggleAutostart flips the start-at-login switch and says what it did.
func (m *MainWindow) toggleAutostart() {
	on, _, err := m.opt.Autostart.Status()
	if err != nil {
		m.setNotice("Could not read the start-at-login setting: " + errText(err))
		return
	}
	if on {
		m.setAutostart(false)
	} else {
		m.setAutostart(true)
	}
}

// setAutostart switches start-at-login on or off and says so.
func (m *MainWindow) setAutostart(on bool) {
	if on {
		where, err := m.opt.Autostart.Enable()
		if err != nil {
			m.setNotice("Could not switch on start at login: " + errText(err))
		} else {
			m.setNotice("Token Desk now starts in the background when you log in to this computer (" + where + ").")
		}
	} else if err := m.opt.Autostart.Disable(); err != nil {
		m.setNotice("Could not switch off start at login: " + errText(err))
	} else {
		m.setNotice("Token Desk no longer starts when you log in.")
	}
	m.updateAutostartItem()
}

// loginSucceeded runs after a login from the window succeeded: after the
// first login of a real DocuSign profile (not a local sandbox), the window
// asks once whether Token Desk should start at login. It never switches
// that on by itself.
func (m *MainWindow) loginSucceeded() {
	a := m.opt.Autostart
	p, ok := m.currentProfile()
	if a == nil || !ok || p.Demo || oauth.Environment(p.Environment).IsLoopback() || a.Offered() {
		return
	}
	if err := a.MarkOffered(); err != nil {
		return // it could not be remembered: better not ask on every login
	}
	if on, _, err := a.Status(); err != nil || on {
		return
	}
	m.interact.offer = m.confirm("Start Token Desk at login?",
		"Token Desk keeps your sessions alive only while it runs. Start it in the background "+
			"when you log in to this computer, so that no session dies unseen? "+
			"You can change this any time under Token Desk > "+autostartLabel+".",
		"Start at login", "Not now",
		func(ok bool) {
			m.interact.offer = nil
			if ok {
				m.setAutostart(true)
			}
		})
}
