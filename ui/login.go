package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func (m *MainWindow) buildLoginPane() *fyne.Container {
	wrap := func(l *widget.Label) *widget.Label { l.Wrapping = fyne.TextWrapWord; return l }
	m.LoginTitle = widget.NewLabel("")
	m.LoginTitle.TextStyle.Bold = true
	m.LoginTitle.SizeName = theme.SizeNameSubHeadingText
	help := wrap(widget.NewLabel("Sign in to DocuSign in your browser and allow access. " +
		"If no browser opened, copy this address into one:"))
	m.LoginURLLabel = widget.NewLabel("(waiting for the consent address)")
	m.LoginURLLabel.Wrapping = fyne.TextWrapBreak
	m.LoginURLLabel.Selectable = true
	m.LoginCopyURL = widget.NewButtonWithIcon("Copy address", theme.ContentCopyIcon(), func() {
		if m.loginURL != "" {
			m.app.Clipboard().SetContent(m.loginURL)
			m.LoginCopyURL.SetText("Copied")
		}
	})
	m.LoginOpenAgain = widget.NewButtonWithIcon("Open browser again", theme.ComputerIcon(), func() {
		if m.loginURL != "" {
			m.showOpenError(m.opt.OpenURL(m.loginURL))
		}
	})
	m.LoginOpenError = wrap(widget.NewLabel(""))
	m.LoginOpenError.Importance = widget.WarningImportance
	m.LoginError = wrap(widget.NewLabel(""))
	m.LoginError.Importance = widget.DangerImportance
	m.LoginCancelButton = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), m.cancelLogin)
	m.LoginBackButton = widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), m.closeLoginPane)
	m.LoginRetryButton = widget.NewButtonWithIcon("Try again", theme.ViewRefreshIcon(), func() {
		m.closeLoginPane()
		m.startLogin()
	})
	m.LoginRetryButton.Importance = widget.HighImportance
	body := container.NewVBox(
		m.LoginTitle, help,
		m.LoginURLLabel,
		container.NewHBox(m.LoginCopyURL, m.LoginOpenAgain),
		m.LoginOpenError, m.LoginError,
		container.NewHBox(m.LoginCancelButton, m.LoginBackButton, m.LoginRetryButton),
	)
	bg := newSwatch(theme.ColorNameBackground, fyne.Size{}, 0)
	return container.NewStack(bg, container.NewVScroll(container.NewPadded(body)))
}

// startLogin runs the browser login for the current profile: the consent
// address is opened in the browser and shown with a Copy button until the
// login completes, fails or is cancelled.
func (m *MainWindow) startLogin() {
	if m.sess == nil || m.loginCancel != nil {
		return
	}
	sess := m.sess
	ctx, cancel := context.WithCancel(context.Background())
	m.loginCancel = cancel
	m.loginURL = ""
	m.LoginTitle.SetText("Waiting for the browser login to " + m.status.Environment.Label() + "…")
	m.LoginURLLabel.SetText("(waiting for the consent address)")
	m.LoginCopyURL.SetText("Copy address")
	m.LoginCopyURL.Disable()
	m.LoginOpenAgain.Disable()
	m.LoginOpenError.Hide()
	m.LoginError.Hide()
	m.LoginCancelButton.Show()
	m.LoginBackButton.Hide()
	m.LoginRetryButton.Hide()
	m.ProfileSelect.Disable()
	m.AddProfileButton.Disable()
	m.loginPane.Show()
	m.updateProfileBar()
	m.updateActions()

	go func() {
		err := sess.Login(ctx, func(u string) {
			runOnMain(func() {
				if m.loginCancel != nil && m.sess == sess {
					m.showLoginURL(u, m.opt.OpenURL(u))
				}
			})
		})
		runOnMain(func() { m.loginDone(ctx, err) })
	}()
}

func (m *MainWindow) showLoginURL(u string, openErr error) {
	m.loginURL = u
	m.LoginURLLabel.SetText(u)
	m.LoginCopyURL.Enable()
	m.LoginOpenAgain.Enable()
	m.showOpenError(openErr)
}

func (m *MainWindow) showOpenError(err error) {
	if err != nil {
		m.LoginOpenError.SetText("The browser did not open: " + errText(err) + ". Copy the address above into a browser.")
		m.LoginOpenError.Show()
	} else {
		m.LoginOpenError.Hide()
	}
}

// cancelLogin stops a login in progress.
func (m *MainWindow) cancelLogin() {
	if m.loginCancel == nil {
		return
	}
	m.loginCancel()
	m.LoginTitle.SetText("Cancelling…")
	m.LoginCancelButton.Disable()
}

// loginDone handles Login's return on the main goroutine.
func (m *MainWindow) loginDone(ctx context.Context, err error) {
	cancelled := ctx.Err() != nil
	if m.loginCancel != nil {
		m.loginCancel()
		m.loginCancel = nil
	}
	m.LoginCancelButton.Enable()
	m.ProfileSelect.Enable()
	m.AddProfileButton.Enable()
	switch {
	case err == nil:
		m.closeLoginPane()
		m.setNotice("Signed in.")
	case cancelled:
		m.closeLoginPane()
		m.setNotice("Login cancelled.")
	default:
		m.LoginTitle.SetText("Login failed")
		m.LoginError.SetText(errText(err))
		m.LoginError.Show()
		m.LoginCancelButton.Hide()
		m.LoginBackButton.Show()
		m.LoginRetryButton.Show()
	}
	m.updateProfileBar()
	m.updateActions()
}

func (m *MainWindow) closeLoginPane() {
	m.loginPane.Hide()
	m.loginURL = ""
}

// loggingIn reports whether the login pane is up.
func (m *MainWindow) loggingIn() bool { return m.loginPane.Visible() }
