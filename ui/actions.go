package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/internal/tokenfmt"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// logoutText is the honest description of what logging out does.
const logoutText = "Log out forgets the tokens on this computer; it does not revoke consent at DocuSign — " +
	"revoke it under Profile > Connected Apps in DocuSign."

const maskedToken = "•••••••••••••••••••••••• (hidden)"

// backendTimeout bounds a refresh, logout or token fetch started from the window.
const backendTimeout = 2 * time.Minute

func (m *MainWindow) buildSessionTab() fyne.CanvasObject {
	m.TokenLabel = widget.NewLabel(maskedToken)
	m.TokenLabel.Wrapping = fyne.TextWrapBreak
	m.TokenLabel.TextStyle.Monospace = true
	m.RevealCheck = widget.NewCheck("Reveal", func(on bool) {
		if on {
			m.revealToken()
		} else {
			m.hideToken()
		}
	})
	labels := make([]string, len(tokenfmt.WindowFormats))
	for i, f := range tokenfmt.WindowFormats {
		labels[i] = f.Label()
	}
	m.FormatSelect = widget.NewSelect(labels, nil)
	m.FormatSelect.SetSelectedIndex(0)
	m.CopyButton = widget.NewButtonWithIcon("Copy access token", theme.ContentCopyIcon(), func() { m.copyToken(m.selectedFormat()) })
	m.RefreshButton = widget.NewButtonWithIcon("Refresh now", theme.ViewRefreshIcon(), m.refreshNow)
	m.LoginButton = widget.NewButtonWithIcon("Log in…", theme.LoginIcon(), m.startLogin)
	m.LogoutButton = widget.NewButtonWithIcon("Log out…", theme.LogoutIcon(), m.confirmLogout)
	m.NoticeLabel = widget.NewLabel("")
	m.NoticeLabel.Wrapping = fyne.TextWrapWord
	m.NoticeLabel.Hide()

	token := widget.NewCard("", "Access token", container.NewBorder(nil, nil, nil, m.RevealCheck, m.TokenLabel))
	hint := widget.NewLabel("Ctrl+C copy · Ctrl+Shift+C copy raw · Ctrl+R or F5 refresh · Ctrl+L log in")
	hint.SizeName = theme.SizeNameCaptionText
	hint.Wrapping = fyne.TextWrapWord
	// The notice, the session actions and the copy row stay in view below
	// the scrolling status, so the primary action (Log in or Copy) is
	// reachable without scrolling at any window size (issue 8, defect 9).
	body := container.NewVScroll(container.NewVBox(
		m.buildStatusCard(),
		token,
		hint,
	))
	actions := container.NewHBox(m.RefreshButton, m.LoginButton, m.LogoutButton)
	copyRow := container.NewBorder(nil, nil, widget.NewLabel("Copy as"), m.CopyButton, m.FormatSelect)
	return container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), m.NoticeLabel, actions, copyRow), nil, nil, body)
}

func (m *MainWindow) selectedFormat() tokenfmt.Format {
	return tokenfmt.ByLabel(m.FormatSelect.Selected)
}

// canUseToken reports whether the session can hand out an access token.
func (m *MainWindow) canUseToken() bool {
	return m.sess != nil && m.status.Session != nil &&
		m.status.State != keeper.SignedOut && m.status.State != keeper.ReloginRequired
}

func (m *MainWindow) updateActions() {
	loggingIn := m.loginCancel != nil
	enable(m.CopyButton, m.canUseToken() && !loggingIn)
	enable(m.RefreshButton, (m.canUseToken() || m.openErr != "") && !loggingIn)
	if m.openErr != "" {
		m.RefreshButton.SetText("Try again")
	} else {
		m.RefreshButton.SetText("Refresh now")
	}
	enable(m.LoginButton, m.sess != nil && !loggingIn)
	enable(m.LogoutButton, m.sess != nil && m.status.Session != nil && !loggingIn)
	if m.canUseToken() {
		m.RevealCheck.Enable()
	} else {
		m.RevealCheck.Disable()
	}
	if m.status.Session == nil {
		m.LoginButton.SetText("Log in…")
	} else {
		m.LoginButton.SetText("Log in again…")
	}
}

func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// setNotice shows a one-line message under the status card ("" hides it).
func (m *MainWindow) setNotice(text string) {
	m.noticeHoldsFor = ""
	setShown(m.NoticeLabel, text, text != "")
}

// markSensitive marks the clipboard's just-copied token as sensitive
// (no clipboard history, cloud sync or monitors where the platform supports
// it); tests replace it.
var markSensitive = markClipboardSensitive

// copyToken copies the access token in the given format, asking first the
// first time per run for a production profile.
func (m *MainWindow) copyToken(format tokenfmt.Format) {
	if !m.canUseToken() {
		m.setNotice("No usable session: log in first.")
		return
	}
	if m.status.Environment.IsProduction() && !m.prodConfirmed[m.profile] {
		profile := m.profile
		m.Show() // the question must be visible, also when asked from the tray
		m.confirmDialog = m.confirm("Copy a PRODUCTION token?",
			"This token acts on real, billable DocuSign accounts of profile "+profile+
				".\nAnyone who gets it can act as you until it expires.\n\nCopy it?",
			"Copy production token", "Cancel",
			func(ok bool) {
				m.confirmDialog = nil
				if ok && m.profile == profile {
					m.prodConfirmed[profile] = true
					m.doCopy(format)
				}
			})
		return
	}
	m.doCopy(format)
}

func (m *MainWindow) doCopy(format tokenfmt.Format) {
	sess := m.sess
	m.setNotice("Getting a valid access token…")
	m.spawn(func() {
		ctx, cancel := context.WithTimeout(context.Background(), backendTimeout)
		defer cancel()
		tok, short, err := fetchToken(ctx, sess)
		runOnMain(func() {
			if m.sess != sess {
				return
			}
			if err != nil {
				m.setNotice("Could not get an access token: " + errText(err))
				return
			}
			text := tokenfmt.Render(format, m.tokenFor(tok))
			clip := m.app.Clipboard()
			clip.SetContent(text)
			m.copied = text
			notice := "Copied (" + format.Label() + ")" + short + ". The clipboard is cleared in " +
				humanize.Duration(m.opt.ClipboardClear) + "."
			if err := markSensitive(text); err != nil {
				// The copy worked; only the history/sync opt-out failed.
				notice += " Clipboard history may keep a copy (" + errText(err) + ")."
			}
			m.setNotice(notice)
			m.after(m.opt.ClipboardClear, func() {
				runOnMain(func() { m.clearClipboard(text) })
			})
		})
	})
}

// fetchToken gets an access token valid for TokenMinValid. A server whose
// tokens live shorter than that (the demo's live 2 minutes) is no failure:
// the keeper hands out its token without a refresh, and short says for how
// long it is valid, as ", valid for 1m 10s only".
func fetchToken(ctx context.Context, sess Session) (tok, short string, err error) {
	tok, err = sess.Token(ctx, TokenMinValid)
	var sv *keeper.ShortValidityError
	if errors.As(err, &sv) && tok != "" {
		return tok, ", valid for " + humanize.Duration(sv.Got) + " only", nil
	}
	return tok, "", err
}

// tokenFor is what a copy format may show of tok: the shown profile, its
// expiry and its default account.
func (m *MainWindow) tokenFor(tok string) tokenfmt.Token {
	t := tokenfmt.Token{AccessToken: tok, Profile: m.profile}
	if s := m.status.Session; s != nil {
		t.ExpiresAt = s.AccessExpiresAt
		if s.User != nil {
			if a, ok := s.User.DefaultAccount(); ok {
				t.AccountID, t.BaseURI = a.AccountID, a.BaseURI
			}
		}
	}
	return t
}

// refreshFailedNotice says a refresh asked for in the window failed. When
// the status card already gives the reason (retrying, re-login required),
// the notice points there instead of repeating it; otherwise it gives the
// reason once, without the operation's prefix.
func refreshFailedNotice(st keeper.Status, err error) string {
	if st.Reason != "" && (st.State == keeper.Retrying || st.State == keeper.ReloginRequired) {
		return "Refresh failed: the reason is shown above."
	}
	var oe *oauth.Error
	if errors.As(err, &oe) {
		return "Refresh failed: " + oe.Human()
	}
	return "Refresh failed: " + errText(err)
}

// clearClipboard empties the clipboard if it still holds exactly text.
func (m *MainWindow) clearClipboard(text string) {
	clip := m.app.Clipboard()
	if clip.Content() != text {
		return // the user copied something else since; leave it alone
	}
	clip.SetContent("")
	if m.copied == text {
		m.copied = ""
		m.setNotice("Clipboard cleared.")
	}
}

func (m *MainWindow) tokenRevealed() bool { return m.RevealCheck != nil && m.RevealCheck.Checked }

// revealToken fetches the token and shows it until hidden or replaced.
func (m *MainWindow) revealToken() {
	if !m.canUseToken() {
		m.hideToken()
		return
	}
	sess := m.sess
	m.TokenLabel.SetText("(fetching…)")
	m.spawn(func() { m.fetchRevealed(sess) })
}

// fetchRevealed gets sess's token off the main goroutine and shows it if
// Reveal is still ticked for that session.
func (m *MainWindow) fetchRevealed(sess Session) {
	ctx, cancel := context.WithTimeout(context.Background(), backendTimeout)
	defer cancel()
	tok, _, err := fetchToken(ctx, sess)
	runOnMain(func() {
		if m.sess != sess || !m.tokenRevealed() {
			return
		}
		if err != nil {
			m.hideToken()
			m.setNotice("Could not get an access token: " + errText(err))
			return
		}
		if st := sess.Status(); st.Session != nil {
			m.revealedFor = st.Session.AccessExpiresAt
		}
		m.TokenLabel.Selectable = true
		m.TokenLabel.SetText(tok)
	})
}

// revealedTokenChanged keeps a revealed token true to the session on every
// status change: a new token (after a refresh) is fetched and shown in the
// old one's place with Reveal still ticked; a session that can no longer
// hand one out hides it. It runs inside a status update, so the fetch
// always runs on its own goroutine.
func (m *MainWindow) revealedTokenChanged() {
	if !m.canUseToken() {
		m.hideToken()
		return
	}
	if m.status.Session.AccessExpiresAt.Equal(m.revealedFor) {
		return // the shown token is still the session's
	}
	m.revealedFor = m.status.Session.AccessExpiresAt // fetch once per new token
	go m.fetchRevealed(m.sess)
}

// hideToken masks the token again.
func (m *MainWindow) hideToken() {
	if m.TokenLabel == nil {
		return
	}
	m.TokenLabel.Selectable = false
	m.TokenLabel.SetText(maskedToken)
	m.revealedFor = time.Time{}
	if m.RevealCheck.Checked {
		m.RevealCheck.SetChecked(false)
	}
}

func (m *MainWindow) refreshNow() {
	if m.openErr != "" && m.loginCancel == nil {
		m.retryOpen()
		return
	}
	if !m.canUseToken() || m.loginCancel != nil {
		return
	}
	sess := m.sess
	m.setNotice("Refreshing…")
	m.spawn(func() {
		ctx, cancel := context.WithTimeout(context.Background(), backendTimeout)
		defer cancel()
		err := sess.Refresh(ctx)
		runOnMain(func() {
			if m.sess != sess {
				return
			}
			if err != nil {
				m.setNotice(refreshFailedNotice(m.status, err))
			} else {
				now := m.opt.Now()
				m.setNotice("Refreshed at " + humanize.WhenSeconds(now, now) + ".")
			}
		})
	})
}

func (m *MainWindow) confirmLogout() {
	if m.sess == nil {
		return
	}
	sess, profile := m.sess, m.profile
	m.confirmDialog = m.confirm("Log out of "+profile+"?", logoutText, "Log out", "Cancel", func(ok bool) {
		m.confirmDialog = nil
		if !ok || m.sess != sess {
			return
		}
		m.spawn(func() {
			ctx, cancel := context.WithTimeout(context.Background(), backendTimeout)
			defer cancel()
			err := sess.Logout(ctx)
			runOnMain(func() {
				if m.sess != sess {
					return // another profile is shown: the notice would be misplaced
				}
				if err != nil {
					m.setNotice("Log out failed: " + err.Error())
				} else {
					m.setNotice("Logged out: the tokens are forgotten on this computer. Consent at DocuSign stays until you revoke it under Profile > Connected Apps.")
				}
			})
		})
	})
}

// setupShortcuts registers the window's keyboard shortcuts.
func (m *MainWindow) setupShortcuts() {
	m.setupAppMenu()
	c := m.win.Canvas()
	c.AddShortcut(&fyne.ShortcutCopy{}, func(fyne.Shortcut) { m.copyToken(m.selectedFormat()) })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyC, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}, func(fyne.Shortcut) { m.copyToken(tokenfmt.Raw) })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { m.refreshNow() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { m.startLogin() })
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		switch k.Name {
		case fyne.KeyF5:
			m.refreshNow()
		case fyne.KeyEscape:
			m.escape()
		}
	})
}

// errText is an error's text on one line.
func errText(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
