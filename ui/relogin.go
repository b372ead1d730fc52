package ui

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/keeper"
)

// Re-login episodes: a prompt is shown once per episode, not on every push.
const (
	episodeRelogin  = "relogin"
	episodeExpiring = "expiring"
)

// episodeOf is a status's re-login episode, or "" if none, as the keeper
// published it: the refresh token is dead, or dies within the warning
// horizon.
func episodeOf(st keeper.Status) string {
	switch {
	case st.State == keeper.ReloginRequired:
		return episodeRelogin
	case st.Session != nil && st.ExpiringSoon:
		return episodeExpiring
	}
	return ""
}

// needsLogin returns the shown profile's re-login episode, or "" if none.
func (m *MainWindow) needsLogin() string {
	if m.sess == nil {
		return ""
	}
	return episodeOf(m.status)
}

// checkRelogin prompts (dialog, notification; the tray and title follow the
// status) once per episode of the named profile, whichever profile is shown.
func (m *MainWindow) checkRelogin(name string) {
	w := m.watch[name]
	ep := ""
	if w != nil && w.sess != nil {
		ep = episodeOf(w.status)
	}
	if ep == "" {
		delete(m.prompted, name)
		if m.reloginDialog != nil && m.reloginProfile == name {
			m.reloginDialog.Hide() // the episode is over
			m.reloginDialog = nil
		}
		return
	}
	if m.prompted[name] == ep {
		return
	}
	m.prompted[name] = ep

	title, msg := reloginText(ep, w.status, m.opt.Now())
	m.notify(fyne.NewNotification(title, msg+" Open Token Desk and choose Log in."))
	if m.reloginDialog != nil {
		m.reloginDialog.Hide()
	}
	d := dialog.NewConfirm(title, msg, func(ok bool) {
		m.reloginDialog = nil
		if ok {
			m.showProfile(name)
			m.startLogin()
		}
	}, m.win)
	d.SetConfirmText("Log in now")
	d.SetDismissText("Later")
	m.reloginDialog, m.reloginProfile = d, name
	d.Show()
}

// reloginText is the prompt's title and message for an episode.
func reloginText(ep string, st keeper.Status, now time.Time) (title, msg string) {
	if ep == episodeRelogin {
		msg = "The DocuSign session of profile " + st.Profile + " has ended and cannot be refreshed."
		r := st.Reason
		if r == "" {
			r = reasonText(st)
		}
		if r != "" {
			msg += " " + sentence(r)
		}
		return "Token Desk: log in again (" + st.Profile + ")", msg
	}
	msg = "The DocuSign session of profile " + st.Profile + " ends " + humanize.WhenRelative(st.RefreshExpiresAt, now) +
		". Log in again now to start a new session."
	return "Token Desk: session ends soon (" + st.Profile + ")", msg
}

// reasonText is the status's reason with DocuSign's error code, which
// appears once: it is added only when the reason does not name it already.
func reasonText(st keeper.Status) string {
	r := strings.TrimSpace(st.Reason)
	if st.ErrorCode != "" && !strings.Contains(r, st.ErrorCode) {
		if r == "" {
			return "DocuSign error " + st.ErrorCode
		}
		r = strings.TrimSuffix(r, ".") + " (DocuSign error " + st.ErrorCode + ")."
	}
	return r
}

// sentence starts s with a capital letter and ends it with a full stop, so
// it reads as a sentence after another one.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}
