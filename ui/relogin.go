package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/tokendesk/tokendesk/keeper"
)

// Re-login episodes: a prompt is shown once per episode, not on every push.
const (
	episodeRelogin  = "relogin"
	episodeExpiring = "expiring"
)

// needsLogin returns the current re-login episode, or "" if none: the
// refresh token is dead, or dies within the warning horizon.
func (m *MainWindow) needsLogin() string {
	st := m.status
	if m.sess == nil {
		return ""
	}
	if st.State == keeper.ReloginRequired {
		return episodeRelogin
	}
	if st.Session == nil {
		return ""
	}
	if st.ExpiringSoon {
		return episodeExpiring
	}
	if exp, _ := m.refreshExpiry(); !exp.IsZero() && exp.Sub(m.opt.Now()) < m.opt.WarnHorizon {
		return episodeExpiring
	}
	return ""
}

// checkRelogin prompts (dialog, notification, tray) once per episode.
func (m *MainWindow) checkRelogin() {
	ep := m.needsLogin()
	if ep == "" {
		delete(m.prompted, m.profile)
		return
	}
	if m.prompted[m.profile] == ep {
		return
	}
	m.prompted[m.profile] = ep

	title, msg := m.reloginText(ep)
	m.notify(fyne.NewNotification(title, msg+" Open Token Desk and choose Log in."))
	if m.reloginDialog != nil {
		m.reloginDialog.Hide()
	}
	d := dialog.NewConfirm(title, msg, func(ok bool) {
		m.reloginDialog = nil
		if ok {
			m.startLogin()
		}
	}, m.win)
	d.SetConfirmText("Log in now")
	d.SetDismissText("Later")
	m.reloginDialog = d
	d.Show()
}

func (m *MainWindow) reloginText(ep string) (title, msg string) {
	st := m.status
	if ep == episodeRelogin {
		msg = "The DocuSign session of profile " + m.profile + " has ended and cannot be refreshed."
		if st.Reason != "" {
			msg += " " + st.Reason
		}
		return "Token Desk: log in again (" + m.profile + ")", msg
	}
	exp, _ := m.refreshExpiry()
	left := exp.Sub(m.opt.Now())
	msg = fmt.Sprintf("The DocuSign session of profile %s ends %s (in %s). Log in again now to start a new window.",
		m.profile, formatDate(exp), formatCountdown(left))
	return "Token Desk: session ends soon (" + m.profile + ")", msg
}
