package ui

import (
	"context"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/assets"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/storage"
)

// MainWindow is Token Desk's main window. Build it with NewMainWindow; all
// its methods run on the Fyne main goroutine.
type MainWindow struct {
	// detailsOpen is set once the Scopes & accounts tab has been shown;
	// accountsKey is what its accounts list was built from.
	detailsOpen bool
	accountsKey string
	// profileList is the profiles as the picker shows them (reloadProfiles).
	profileList []storage.Profile
	// watch holds every profile's subscription and latest status, so a
	// profile that is not shown still raises its alarms.
	watch map[string]*watched
	// toOpen are the profiles whose sessions are opened in the background
	// (each may read the keyring: the first frame does not wait for them);
	// background runs that opening off the main goroutine and applies its
	// result on it.
	toOpen     []string
	background func(open func() (apply func()))
	// openErr is why the shown profile's session could not be opened (the
	// keyring is locked or unreachable, say); empty when it is open.
	openErr  string
	app      fyne.App
	win      fyne.Window
	profiles Profiles
	opt      Options
	tray     desktop.App // nil without a system tray

	// Seams for tests: after schedules the clipboard clear, notify sends a
	// desktop notification, spawn runs short backend calls off the main
	// goroutine, loadActivity reads a session's activity log off the main
	// goroutine and hands it to done on the main goroutine.
	after        func(d time.Duration, f func())
	notify       func(n *fyne.Notification)
	spawn        func(f func())
	loadActivity func(s Session, done func([]keeper.Activity))

	profile string // current profile name
	sess    Session
	status  keeper.Status
	acts    []keeper.Activity
	// actsFor and actsVersion say which session and activity version acts
	// was read for.
	actsFor     Session
	actsVersion uint64

	prodConfirmed map[string]bool   // profile → production copy confirmed this run
	prompted      map[string]string // profile → re-login episode already prompted
	loginCancel   context.CancelFunc
	copied        string // what we last put on the clipboard
	// noticeHoldsFor is a state the shown notice is about, so the change to
	// it does not clear the notice (a saved profile's ended session).
	noticeHoldsFor keeper.State
	revealedFor    time.Time
	stopTick       chan struct{}
	trayIcon       fyne.Resource
	hideNoticed    bool // told the user the app keeps running in the tray
	storageWarned  bool // showed Options.StorageWarnings
	closed         bool // Close was called: late background results are dropped

	// StorageWarningDialog is the dialog that showed Options.StorageWarnings
	// (nil until then).
	StorageWarningDialog *dialog.CustomDialog

	tabs                    *container.AppTabs
	overviewTab, sessionTab *container.TabItem
	detailsTab, activityTab *container.TabItem
	overviewRows            map[string]*overviewRow
	OverviewBox             *fyne.Container

	// Profile bar.
	ProfileSelect       *widget.Select
	envBadge            *envBadge
	UserLabel           *widget.Label
	DemoBanner          *fyne.Container
	AddProfileButton    *widget.Button
	EditProfileButton   *widget.Button
	RemoveProfileButton *widget.Button

	// Status card (status.go).
	statusCard        fyne.CanvasObject
	StateLabel        *widget.Label
	stateStripe       *swatch
	DetailLabel       *widget.Label
	ReasonLabel       *widget.Label
	NextAttemptLabel  *widget.Label
	LastRefreshLabel  *widget.Label
	AccessLabel       *widget.Label
	AccessBar         *meter
	RefreshLabel      *widget.Label
	Timeline          *timeline
	TimelineLegend    *widget.Label
	SourceLabel       *widget.Label
	ExtendedLabel     *widget.Label
	StorageErrorLabel *widget.Label

	// Token and session actions (actions.go).
	TokenLabel    *widget.Label
	RevealCheck   *widget.Check
	FormatSelect  *widget.Select
	CopyButton    *widget.Button
	RefreshButton *widget.Button
	LoginButton   *widget.Button
	LogoutButton  *widget.Button
	NoticeLabel   *widget.Label

	// Scopes and accounts (details.go).
	ScopesBox   *fyne.Container
	ScopesNote  *widget.Label
	AccountsBox *fyne.Container

	// Activity (activity.go).
	ActivityList *widget.List
	ExportButton *widget.Button

	// Login pane (login.go).
	loginPane         *fyne.Container
	mainPane          fyne.CanvasObject
	LoginTitle        *widget.Label
	LoginURLLabel     *widget.Label
	LoginCopyURL      *widget.Button
	LoginOpenAgain    *widget.Button
	LoginOpenError    *widget.Label
	LoginError        *widget.Label
	LoginCancelButton *widget.Button
	LoginBackButton   *widget.Button
	LoginRetryButton  *widget.Button
	loginURL          string
	// Paste is the login pane's paste-the-address fallback (login.go).
	Paste *pastePane
	// interact holds the Quit action and the start-at-login switch (quit.go).
	interact interactions

	// Dialogs currently shown, for tests.
	reloginDialog  *dialog.ConfirmDialog
	reloginProfile string // whose session reloginDialog is about
	confirmDialog  *dialog.ConfirmDialog
	profileDialog  *profileDialog

	// Tray menu (tray.go).
	TrayMenu       *fyne.Menu
	trayStatusItem *fyne.MenuItem
}

// NewMainWindow builds the main window for the given profiles, shows the
// initial profile's session and, if a implements desktop.App, sets up the
// system tray. Call Show to put it on screen.
func NewMainWindow(a fyne.App, p Profiles, opt Options) *MainWindow {
	return newMainWindow(a, p, opt, nil)
}

// newMainWindow is NewMainWindow with a hook that can replace the seams
// before the first status is shown.
func newMainWindow(a fyne.App, p Profiles, opt Options, hook func(*MainWindow)) *MainWindow {
	m := &MainWindow{
		app:           a,
		profiles:      p,
		opt:           opt.withDefaults(a),
		after:         func(d time.Duration, f func()) { time.AfterFunc(d, f) },
		notify:        a.SendNotification,
		spawn:         func(f func()) { go f() },
		prodConfirmed: map[string]bool{},
		prompted:      map[string]string{},
		watch:         map[string]*watched{},
	}
	m.background = func(open func() func()) {
		go func() {
			apply := open()
			runOnMain(func() {
				if !m.closed {
					apply()
				}
			})
		}()
	}
	m.loadActivity = func(s Session, done func([]keeper.Activity)) {
		go func() {
			acts := s.Activity() // may wait on the activity file's lock
			runOnMain(func() {
				if !m.closed {
					done(acts)
				}
			})
		}()
	}
	if hook != nil {
		hook(m)
	}
	useLegibleTheme(a)
	m.win = a.NewWindow("Token Desk")
	m.win.SetIcon(assets.Icon)

	top := m.buildProfileBar()
	m.overviewTab = container.NewTabItemWithIcon("All profiles", theme.ListIcon(), m.buildOverview())
	m.sessionTab = container.NewTabItemWithIcon("Session", theme.HomeIcon(), m.buildSessionTab())
	m.detailsTab = container.NewTabItemWithIcon("Scopes & accounts", theme.AccountIcon(), container.NewVScroll(m.buildDetails()))
	m.activityTab = container.NewTabItemWithIcon("Activity", theme.HistoryIcon(), m.buildActivity())
	m.tabs = container.NewAppTabs(m.overviewTab, m.sessionTab, m.detailsTab, m.activityTab)
	m.tabs.OnSelected = func(it *container.TabItem) {
		if it == m.detailsTab && !m.detailsOpen {
			m.detailsOpen = true
			m.updateAccounts()
		}
	}
	m.mainPane = m.tabs
	m.loginPane = m.buildLoginPane()
	m.loginPane.Hide()
	m.win.SetContent(container.NewBorder(top, nil, nil, nil, container.NewStack(m.tabs, m.loginPane)))
	m.win.Resize(defaultWindowSize(userScale(a, os.Getenv)))

	m.setupShortcuts()
	m.setupTray()

	m.reloadProfiles(m.opt.Initial)
	if len(m.profileList) > 1 {
		m.tabs.Select(m.overviewTab)
	} else {
		m.tabs.Select(m.sessionTab)
	}
	return m
}

// Window returns the underlying Fyne window.
func (m *MainWindow) Window() fyne.Window { return m.win }

// Show puts the window on screen and starts the countdown.
func (m *MainWindow) Show() {
	m.win.Show()
	m.startTicker()
	m.tick()
	m.showStorageWarnings()
	releaseStartupMemory.Do(func() { time.AfterFunc(startupSettled, debug.FreeOSMemory) })
}

// releaseStartupMemory hands the memory that start-up used and freed (font
// and icon decoding, the first layout: about 15 MB) back to the system once
// the first frame is up, instead of holding it for the app's lifetime; the
// Go runtime alone returns it only slowly (bench/README.md, figure 3b).
var releaseStartupMemory sync.Once

// startupSettled is how long after the first Show start-up is over.
const startupSettled = 2 * time.Second

// hide takes the window off screen (the tray keeps the app running) and
// stops the countdown.
func (m *MainWindow) hide() {
	m.stopTicker()
	m.win.Hide()
	if !m.hideNoticed {
		m.hideNoticed = true
		m.notify(fyne.NewNotification("Token Desk keeps running",
			"The session stays alive in the background. Use the Token Desk tray icon to show the window or quit."))
	}
}

// Close stops the window's timers and subscription and closes it.
func (m *MainWindow) Close() {
	m.closed = true
	m.stopTicker()
	for _, w := range m.watch {
		w.stop()
	}
	if m.loginCancel != nil {
		m.loginCancel()
	}
	m.win.Close()
}

func (m *MainWindow) buildProfileBar() fyne.CanvasObject {
	m.ProfileSelect = widget.NewSelect(nil, func(name string) { m.selectProfile(name) })
	m.ProfileSelect.PlaceHolder = "(no profile)"
	m.envBadge = newEnvBadge()
	m.UserLabel = widget.NewLabel("")
	m.UserLabel.Truncation = fyne.TextTruncateEllipsis
	m.AddProfileButton = widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { m.showProfileForm(nil) })
	m.EditProfileButton = widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() {
		// Edit what is stored now: another process may have changed it.
		for _, p := range m.profiles.List() {
			if p.Name == m.profile {
				m.showProfileForm(&p)
				return
			}
		}
	})
	m.RemoveProfileButton = widget.NewButtonWithIcon("", theme.DeleteIcon(), m.confirmRemoveProfile)
	buttons := container.NewHBox(m.AddProfileButton, m.EditProfileButton, m.RemoveProfileButton)
	bar := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Profile"), m.ProfileSelect, m.envBadge.box), buttons, m.UserLabel)

	note := widget.NewLabel(m.opt.DemoNote)
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.WarningImportance
	m.DemoBanner = container.NewStack(newSwatch(theme.ColorNameInputBackground, fyne.Size{}, theme.InputRadiusSize()),
		container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, note))
	m.DemoBanner.Hide() // updateProfileBar shows it over the demo profile only
	return container.NewVBox(bar, m.DemoBanner, widget.NewSeparator())
}

// reloadProfiles refreshes the picker and the overview, subscribes to
// every profile's session, and selects want, the current profile, or the
// first one.
func (m *MainWindow) reloadProfiles(want string) {
	list := m.profiles.List()
	m.profileList = list
	names := make([]string, 0, len(list))
	for _, p := range list {
		names = append(names, p.Name)
	}
	for name, w := range m.watch {
		if !slices.Contains(names, name) {
			w.stop()
			delete(m.watch, name)
			delete(m.prompted, name)
			if m.reloginDialog != nil && m.reloginProfile == name {
				m.reloginDialog.Hide() // its profile is gone
				m.reloginDialog = nil
			}
		}
	}
	if want == "" || !slices.Contains(names, want) {
		want = m.profile
	}
	if !slices.Contains(names, want) {
		want = ""
		if len(names) > 0 {
			want = names[0]
		}
	}
	for _, name := range names {
		switch {
		case m.watch[name] != nil:
		case name == want:
			m.open(name) // shown at once
		default:
			m.openLater(name)
		}
	}
	m.rebuildOverview()
	m.ProfileSelect.SetOptions(names)
	m.startOpens()
	if want == "" {
		m.ProfileSelect.ClearSelected()
		m.selectProfile("")
		return
	}
	if m.ProfileSelect.Selected == want {
		m.selectProfile(want)
	} else {
		m.ProfileSelect.SetSelected(want) // calls selectProfile
	}
	for _, name := range names {
		if name != m.profile {
			m.checkRelogin(name)
		}
	}
}

// currentProfile is the shown profile as of the last reloadProfiles: the
// status pushes that ask for it often do not re-read the config file.
func (m *MainWindow) currentProfile() (storage.Profile, bool) { return m.profileNamed(m.profile) }

// profileNamed is a profile as of the last reloadProfiles.
func (m *MainWindow) profileNamed(name string) (storage.Profile, bool) {
	for _, p := range m.profileList {
		if p.Name == name {
			return p, true
		}
	}
	return storage.Profile{}, false
}

// selectProfile switches the window to the named profile's session.
func (m *MainWindow) selectProfile(name string) {
	if name == m.profile && m.sess != nil {
		return
	}
	changed := name != m.profile
	m.profile, m.sess, m.openErr = name, nil, ""
	m.hideToken()
	if changed && m.NoticeLabel != nil {
		m.setNotice("") // notices belong to the profile they were about
	}
	w := m.watch[name]
	if w != nil && w.pending {
		w = m.open(name) // chosen before its background opening finished
		m.updateOverviewRow(name)
	}
	if name == "" || w == nil {
		m.setStatus(keeper.Status{State: keeper.SignedOut})
		return
	}
	m.sess, m.openErr = w.sess, w.openErr
	m.setStatus(w.status)
}

// setStatus shows the shown profile's status snapshot everywhere it appears.
func (m *MainWindow) setStatus(st keeper.Status) {
	if st.Profile == "" {
		st.Profile = m.profile
	}
	m.fillStatus(&st)
	old := m.status
	m.status = st
	if w := m.watch[m.profile]; w != nil && w.sess == m.sess {
		w.status = st
	}
	outdated := noticeOutdated(old.State, st.State)
	if m.noticeHoldsFor != "" { // the notice is about reaching that state, and holds only there
		outdated = old.State != st.State && st.State != m.noticeHoldsFor
	}
	if old.Profile == st.Profile && outdated && m.NoticeLabel != nil {
		m.setNotice("") // a notice about the old state no longer holds
	}
	if m.tokenRevealed() {
		m.revealedTokenChanged() // a refresh may have replaced the token, or the session ended
	}
	m.updateProfileBar()
	m.updateStatusCard()
	m.updateActions()
	m.emphasize()
	m.updateDetails()
	m.updateActivity()
	m.updateOverviewRow(m.profile)
	m.updateGlobal()
	m.checkRelogin(m.profile)
}

// updateGlobal redraws what sums up every profile: the title and the tray.
func (m *MainWindow) updateGlobal() {
	m.win.SetTitle(m.windowTitle())
	m.updateTray()
}

func (m *MainWindow) updateProfileBar() {
	st := m.status
	hasProfile := m.profile != ""
	if hasProfile {
		m.envBadge.set(badgeFor(st.Environment, m.isDemoProfile()))
	} else {
		m.envBadge.set("NO PROFILE", noneColor)
	}
	if m.opt.DemoNote != "" && hasProfile && m.isDemoProfile() {
		m.DemoBanner.Show()
	} else {
		m.DemoBanner.Hide()
	}
	if st.Session != nil && st.Session.User != nil {
		u := st.Session.User
		m.UserLabel.SetText(u.Name + " <" + u.Email + ">")
	} else if st.Session != nil {
		m.UserLabel.SetText("signed in (user details unavailable)")
	} else {
		m.UserLabel.SetText("not signed in")
	}
	if hasProfile && m.loginCancel == nil {
		m.EditProfileButton.Enable()
		m.RemoveProfileButton.Enable()
	} else {
		m.EditProfileButton.Disable()
		m.RemoveProfileButton.Disable()
	}
}

// startTicker runs tick once a second until stopTicker.
func (m *MainWindow) startTicker() {
	if m.stopTick != nil {
		return
	}
	stop := make(chan struct{})
	m.stopTick = stop
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runOnMain(func() {
					if m.stopTick == stop {
						m.tick()
					}
				})
			}
		}
	}()
}

func (m *MainWindow) stopTicker() {
	if m.stopTick != nil {
		close(m.stopTick)
		m.stopTick = nil
	}
}

// isDemoProfile reports whether the shown profile is demo mode's local sandbox.
func (m *MainWindow) isDemoProfile() bool {
	p, ok := m.currentProfile()
	return ok && p.Demo
}
