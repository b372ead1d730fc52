package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/oauth"
)

// pastePane is the login pane's fallback for a browser on another computer:
// the consent address to copy there, and a field for the address that
// browser ended on (http://127.0.0.1:PORT/callback?code=…&state=…).
type pastePane struct {
	box         *fyne.Container
	CopyConsent *widget.Button
	Entry       *formEntry
	UseButton   *widget.Button
	// Status says what became of the pasted address.
	Status *widget.Label
	ch     chan string // to the running login; nil when none accepts pastes
	// consent is the consent address for another computer.
	consent string
}

func (m *MainWindow) buildLoginPane() *fyne.Container {
	wrap := func(l *widget.Label) *widget.Label { l.Wrapping = fyne.TextWrapWord; return l }
	m.LoginTitle = widget.NewLabel("")
	m.LoginTitle.TextStyle.Bold = true
	m.LoginTitle.SizeName = theme.SizeNameSubHeadingText
	m.LoginTitle.Wrapping = fyne.TextWrapWord
	help := wrap(widget.NewLabel("Sign in to DocuSign in your browser and allow access. " +
		"If no browser opened, copy this address into a browser on this computer:"))
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
	m.LoginBackButton = widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), func() {
		m.closeLoginPane()
		m.updateActions()
	})
	m.LoginRetryButton = widget.NewButtonWithIcon("Try again", theme.ViewRefreshIcon(), func() {
		m.closeLoginPane()
		m.startLogin()
	})
	m.LoginRetryButton.Importance = widget.HighImportance
	m.Paste = m.buildPastePane()
	body := container.NewVBox(
		m.LoginTitle, help,
		m.LoginURLLabel,
		container.NewHBox(m.LoginCopyURL, m.LoginOpenAgain),
		m.LoginOpenError,
		m.Paste.box,
		m.LoginError,
		container.NewHBox(m.LoginCancelButton, m.LoginBackButton, m.LoginRetryButton),
	)
	bg := newSwatch(theme.ColorNameBackground, fyne.Size{}, 0)
	return container.NewStack(bg, container.NewVScroll(container.NewPadded(body)))
}

func (m *MainWindow) buildPastePane() *pastePane {
	p := &pastePane{}
	wrap := func(l *widget.Label) *widget.Label { l.Wrapping = fyne.TextWrapWord; return l }
	heading := widget.NewLabel("Browser on another computer?")
	heading.TextStyle.Bold = true
	help := wrap(widget.NewLabel("Copy the consent address, open it in a browser there and sign in. " +
		"That browser ends on a page that does not load, at an address starting with http://127.0.0.1: " +
		"copy that whole address from its address bar and paste it here."))
	p.CopyConsent = widget.NewButtonWithIcon("Copy consent address", theme.ContentCopyIcon(), func() {
		if p.consent != "" {
			m.app.Clipboard().SetContent(p.consent)
			p.CopyConsent.SetText("Consent address copied")
		}
	})
	p.Entry = newFormEntry(func() { m.escape() })
	p.Entry.SetPlaceHolder("http://127.0.0.1:8765/callback?code=…&state=…")
	p.Entry.OnSubmitted = func(string) { m.usePasted() }
	p.UseButton = widget.NewButtonWithIcon("Use address", theme.ConfirmIcon(), m.usePasted)
	p.Status = wrap(widget.NewLabel(""))
	p.Status.Hide()
	p.box = container.NewVBox(widget.NewSeparator(), heading, help, container.NewHBox(p.CopyConsent),
		container.NewBorder(nil, nil, nil, p.UseButton, p.Entry), p.Status)
	p.box.Hide()
	return p
}

// startLogin runs the browser login for the current profile: the consent
// address is opened in the browser and shown with a Copy button until the
// login completes, fails or is cancelled. Sessions that accept a pasted
// address also get the fallback for a browser on another computer.
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
	p := m.Paste
	p.consent, p.ch = "", nil
	p.Entry.SetText("")
	p.Status.Hide()
	p.CopyConsent.SetText("Copy consent address")
	p.CopyConsent.Disable()
	pl, canPaste := sess.(PasteLogin)
	if canPaste {
		p.ch = make(chan string, 1)
		p.box.Show()
	} else {
		p.box.Hide()
	}
	m.loginPane.Show()
	m.loginPane.Refresh() // parts were shown or hidden: lay out again
	m.updateProfileBar()
	m.updateActions()

	onURL := func(start, consent string) {
		runOnMain(func() {
			if m.loginCancel != nil && m.sess == sess {
				m.showLoginURL(start, consent, m.opt.OpenURL(start))
			}
		})
	}
	ch := p.ch
	go func() {
		var err error
		if canPaste {
			err = pl.LoginPaste(ctx, oauth.LoginOptions{OnURL: onURL, Paste: ch, OnPasteRejected: func(err error) {
				runOnMain(func() {
					if m.Paste.ch == ch {
						m.showPasteStatus("Not accepted: "+errText(err), true)
					}
				})
			}})
		} else {
			err = sess.Login(ctx, func(u string) { onURL(u, u) })
		}
		runOnMain(func() { m.loginDone(ctx, err) })
	}()
}

func (m *MainWindow) showLoginURL(start, consent string, openErr error) {
	m.loginURL = start
	m.LoginURLLabel.SetText(start)
	m.LoginCopyURL.Enable()
	m.LoginOpenAgain.Enable()
	m.Paste.consent = consent
	if consent != "" {
		m.Paste.CopyConsent.Enable()
	}
	m.showOpenError(openErr)
	m.loginPane.Refresh()
}

// usePasted hands the pasted address to the running login.
func (m *MainWindow) usePasted() {
	p := m.Paste
	text := strings.TrimSpace(p.Entry.Text)
	switch {
	case p.ch == nil || m.loginCancel == nil:
		return
	case text == "":
		m.showPasteStatus("Paste the whole address the other browser ended on, starting with http://127.0.0.1:", true)
		return
	}
	select {
	case p.ch <- text:
		p.Entry.SetText("") // it carries a one-time code: do not leave it on screen
		m.showPasteStatus("Checking the address…", false)
	default:
		m.showPasteStatus("Still checking the previous address…", false)
	}
}

func (m *MainWindow) showPasteStatus(text string, bad bool) {
	l := m.Paste.Status
	l.Importance = widget.MediumImportance
	if bad {
		l.Importance = widget.DangerImportance
	}
	l.SetText(text)
	l.Show()
	m.loginPane.Refresh()
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
	m.Paste.ch = nil
	m.LoginCancelButton.Enable()
	m.ProfileSelect.Enable()
	m.AddProfileButton.Enable()
	switch {
	case err == nil:
		m.closeLoginPane()
		m.setNotice("Signed in.")
		m.loginSucceeded()
	case cancelled:
		m.closeLoginPane()
		m.setNotice("Login cancelled.")
	default:
		m.LoginTitle.SetText("Login failed")
		m.LoginError.SetText(errText(err))
		m.LoginError.Show()
		m.Paste.box.Hide()
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
	m.Paste.consent = ""
	m.Paste.Entry.SetText("")
}

// loggingIn reports whether the login pane is up.
func (m *MainWindow) loggingIn() bool { return m.loginPane.Visible() }
