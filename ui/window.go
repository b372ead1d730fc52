package ui

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/assets"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
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
	// goroutine.
	after  func(d time.Duration, f func())
	notify func(n *fyne.Notification)
	spawn  func(f func())

	profile string // current profile name
	sess    Session
	unsub   func()
	status  keeper.Status
	acts    []keeper.Activity

	prodConfirmed map[string]bool   // profile → production copy confirmed this run
	prompted      map[string]string // profile → re-login episode already prompted
	loginCancel   context.CancelFunc
	copied        string // what we last put on the clipboard
	revealedFor   time.Time
	stopTick      chan struct{}
	trayIcon      fyne.Resource
	hideNoticed   bool // told the user the app keeps running in the tray

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
	AccessLabel       *widget.Label
	AccessBar         *widget.ProgressBar
	RefreshLabel      *widget.Label
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

	// Dialogs currently shown, for tests.
	reloginDialog *dialog.ConfirmDialog
	confirmDialog *dialog.ConfirmDialog
	profileDialog *profileDialog

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
	}
	if hook != nil {
		hook(m)
	}
	m.win = a.NewWindow("Token Desk")
	m.win.SetIcon(assets.Icon)

	top := m.buildProfileBar()
	tabs := container.NewAppTabs(
		container.NewTabItemWithIcon("Session", theme.HomeIcon(), container.NewVScroll(m.buildSessionTab())),
		container.NewTabItemWithIcon("Scopes & accounts", theme.AccountIcon(), container.NewVScroll(m.buildDetails())),
		container.NewTabItemWithIcon("Activity", theme.HistoryIcon(), m.buildActivity()),
	)
	tabs.OnSelected = func(it *container.TabItem) {
		if it == tabs.Items[1] && !m.detailsOpen {
			m.detailsOpen = true
			m.updateAccounts()
		}
	}
	m.mainPane = tabs
	m.loginPane = m.buildLoginPane()
	m.loginPane.Hide()
	m.win.SetContent(container.NewBorder(top, nil, nil, nil, container.NewStack(tabs, m.loginPane)))
	m.win.Resize(fyne.NewSize(760, 820))

	m.setupShortcuts()
	m.setupTray()

	m.reloadProfiles(m.opt.Initial)
	return m
}

// Window returns the underlying Fyne window.
func (m *MainWindow) Window() fyne.Window { return m.win }

// Show puts the window on screen and starts the countdown.
func (m *MainWindow) Show() {
	m.win.Show()
	m.startTicker()
	m.tick()
}

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
	m.stopTicker()
	if m.unsub != nil {
		m.unsub()
		m.unsub = nil
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
	if m.opt.DemoNote == "" {
		m.DemoBanner.Hide()
	}
	return container.NewVBox(bar, m.DemoBanner, widget.NewSeparator())
}

// reloadProfiles refreshes the picker and selects want, the current
// profile, or the first one.
func (m *MainWindow) reloadProfiles(want string) {
	list := m.profiles.List()
	m.profileList = list
	names := make([]string, 0, len(list))
	for _, p := range list {
		names = append(names, p.Name)
	}
	m.ProfileSelect.SetOptions(names)
	if want == "" || !slices.Contains(names, want) {
		want = m.profile
	}
	if !slices.Contains(names, want) {
		want = ""
		if len(names) > 0 {
			want = names[0]
		}
	}
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
}

// currentProfile is the shown profile as of the last reloadProfiles: the
// status pushes that ask for it often do not re-read the config file.
func (m *MainWindow) currentProfile() (storage.Profile, bool) {
	for _, p := range m.profileList {
		if p.Name == m.profile {
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
	if m.unsub != nil {
		m.unsub()
		m.unsub = nil
	}
	m.profile, m.sess = name, nil
	m.hideToken()
	if name == "" {
		m.setStatus(keeper.Status{State: keeper.SignedOut})
		return
	}
	sess, err := m.profiles.Session(name)
	if err != nil {
		// Not "signed out": the session may be intact, just unreadable now.
		m.openErr = err.Error()
		m.setStatus(keeper.Status{Profile: name, State: keeper.SignedOut})
		return
	}
	m.openErr = ""
	m.sess = sess
	m.unsub = sess.Subscribe(func(st keeper.Status) {
		runOnMain(func() {
			if m.sess == sess {
				m.setStatus(st)
			}
		})
	})
	m.setStatus(sess.Status())
}

// setStatus shows a new status snapshot everywhere it appears.
func (m *MainWindow) setStatus(st keeper.Status) {
	if st.Profile == "" {
		st.Profile = m.profile
	}
	if st.Environment == "" {
		if p, ok := m.currentProfile(); ok {
			st.Environment = oauth.Environment(p.Environment)
		}
	}
	old := m.status
	m.status = st
	if m.tokenRevealed() && (st.Session == nil || old.Session == nil || !st.Session.AccessExpiresAt.Equal(m.revealedFor)) {
		m.hideToken() // the revealed token was replaced or dropped
	}
	m.win.SetTitle(windowTitle(st.Profile, m.look()))
	m.updateProfileBar()
	m.updateStatusCard()
	m.updateActions()
	m.updateDetails()
	m.updateActivity()
	m.updateTray()
	m.checkRelogin()
}

func (m *MainWindow) updateProfileBar() {
	st := m.status
	hasProfile := m.profile != ""
	switch env := st.Environment; {
	case !hasProfile:
		m.envBadge.set("NO PROFILE", noneColor)
	case m.isDemoProfile():
		m.envBadge.set("DEMO SANDBOX", demoColor)
	case env.IsProduction():
		m.envBadge.set(env.Label(), productionColor)
	case env == oauth.Demo || env == "":
		m.envBadge.set(oauth.Demo.Label(), demoColor)
	default:
		m.envBadge.set(env.Label(), customColor)
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

// windowTitle puts the profile and its state in the title, so the taskbar
// (and a glance at a hidden window's entry) says whether the session is healthy.
func windowTitle(profile string, look stateLook) string {
	if profile == "" {
		return "Token Desk"
	}
	return "Token Desk — " + profile + ": " + look.title
}

// retryOpen tries again to open the shown profile's session after a failure.
func (m *MainWindow) retryOpen() {
	name := m.profile
	m.profile = ""
	m.selectProfile(name)
}

// isDemoProfile reports whether the shown profile is demo mode's local sandbox.
func (m *MainWindow) isDemoProfile() bool {
	p, ok := m.currentProfile()
	return ok && p.Demo
}
