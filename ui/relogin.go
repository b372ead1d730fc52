package ui

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"

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

	p, _ := m.profileNamed(name)
	title, msg := reloginText(ep, w.status, p.Demo, m.opt.Now())
	m.notify(fyne.NewNotification(title, msg+" Open Token Desk and choose Log in."))
	if m.reloginDialog != nil {
		m.reloginDialog.Hide()
	}
	m.reloginProfile = name
	m.reloginDialog = m.confirm(title, msg, "Log in now", "Later", func(ok bool) {
		m.reloginDialog = nil
		if ok {
			m.showProfile(name)
			m.startLogin()
		}
	})
}

// reloginText is the prompt's title and message for an episode. The
// session is named by its server: DocuSign, the local sandbox (demo is the
// demo's own profile) or a custom account server by its URL.
func reloginText(ep string, st keeper.Status, demo bool, now time.Time) (title, msg string) {
	session := sessionName(st, demo)
	if ep == episodeRelogin {
		msg = session + " has ended and cannot be refreshed."
		r := st.Reason
		if r == "" {
			r = reasonText(st)
		}
		if r != "" {
			msg += " " + sentence(r)
		}
		return "Token Desk: log in again (" + st.Profile + ")", msg
	}
	msg = session + " ends " + humanize.WhenRelative(st.RefreshExpiresAt, now) +
		". Log in again now to start a new session."
	return "Token Desk: session ends soon (" + st.Profile + ")", msg
}

// sessionName opens a sentence about the profile's session, naming its
// server as oauth.Environment does.
func sessionName(st keeper.Status, demo bool) string {
	switch {
	case st.Environment.IsDocuSign():
		return "The DocuSign session of profile " + st.Profile
	case demo:
		return "The local sandbox session of profile " + st.Profile
	}
	return "The session of profile " + st.Profile + " with " + st.Environment.ServerName()
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
