package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2/theme"

	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/keeper"
)

// tick updates everything that depends on the clock: the countdowns, the
// access bar, the timeline's "now", the overview's rows. It runs at most
// once a second while the window shows, and repaints only what changed.
func (m *MainWindow) tick() {
	if m.AccessLabel == nil {
		return
	}
	now := m.opt.Now()
	st := m.status
	for name, r := range m.overviewRows {
		if w := m.watch[name]; w != nil {
			r.tick(w, now)
		}
	}
	m.tickNextAttempt(now)
	m.tickLastRefresh(now)
	m.tickAccess(now)
	m.tickRefresh(now)
	if st.Session == nil && m.openErr == "" && st.State == keeper.SignedOut {
		m.LastRefreshLabel.Hide()
	}
}

// tickNextAttempt says when the next automatic attempt runs, for as long as
// one is scheduled.
func (m *MainWindow) tickNextAttempt(now time.Time) {
	st := m.status
	if st.NextAttempt.IsZero() || !m.alive() {
		m.NextAttemptLabel.Hide()
		return
	}
	what := "Next automatic refresh"
	switch st.NextKind {
	case keeper.NextRetry:
		what = "Next retry"
	case keeper.NextKeepAlive:
		what = "Next keep-alive refresh"
	}
	text := what + ": " + humanize.WhenSeconds(st.NextAttempt, now)
	if st.NextAttempt.After(now) {
		text += " (" + humanize.Relative(st.NextAttempt, now) + ")"
	} else {
		text += " (due now)"
	}
	setShown(m.NextAttemptLabel, text, true)
}

// tickLastRefresh is the "last refreshed" line.
func (m *MainWindow) tickLastRefresh(now time.Time) {
	st := m.status
	if m.openErr != "" || st.Session == nil {
		m.LastRefreshLabel.Hide()
		return
	}
	ev := st.LastRefresh
	if ev == nil {
		setShown(m.LastRefreshLabel, "Last refreshed: not since the last login.", true)
		return
	}
	when := humanize.When(ev.At, now) + " (" + humanize.Age(now.Sub(ev.At)) + " ago"
	if why := triggerWords(ev.Trigger); why != "" {
		when += ", " + why
	}
	when += ")"
	if ev.OK {
		setShown(m.LastRefreshLabel, "Last refreshed: "+when+".", true)
		return
	}
	text := "Last refresh attempt failed " + when
	switch {
	case ev.Message == "":
		text += "."
	case sameWords(ev.Message, st.Reason):
		text += ", for the reason above." // the reason line already says it
	default:
		text += ": " + sentence(ev.Message)
	}
	setShown(m.LastRefreshLabel, text, true)
}

// triggerWords says why a refresh ran, for the "last refreshed" line.
func triggerWords(t keeper.Trigger) string {
	switch t {
	case keeper.TriggerSchedule:
		return "on schedule"
	case keeper.TriggerKeepAlive:
		return "keep-alive"
	case keeper.TriggerWake:
		return "after the computer woke"
	case keeper.TriggerRetry:
		return "a retry"
	case keeper.TriggerUser:
		return "asked for by you"
	case keeper.TriggerToken:
		return "a token was requested"
	case keeper.TriggerLogin:
		return "login"
	}
	return string(t)
}

// tickAccess draws the access token's time left as text and as a bar that
// is empty when nothing is left.
func (m *MainWindow) tickAccess(now time.Time) {
	st := m.status
	switch {
	case m.openErr != "":
		setText(m.AccessLabel, "Access token: unknown (the session could not be read)")
		m.AccessBar.set(0, theme.ColorNamePrimary)
		return
	case st.State == keeper.ReloginRequired:
		setText(m.AccessLabel, "Access token: none — the session has ended")
		m.AccessBar.set(0, theme.ColorNamePrimary)
		return
	case st.Session == nil || st.AccessExpiresAt.IsZero():
		setText(m.AccessLabel, "Access token: none")
		m.AccessBar.set(0, theme.ColorNamePrimary)
		return
	}
	exp := st.AccessExpiresAt
	if exp.After(now) {
		setText(m.AccessLabel, "Access token: "+humanize.Left(exp, now)+" (expires "+humanize.WhenSeconds(exp, now)+")")
	} else {
		setText(m.AccessLabel, "Access token: "+humanize.Left(exp, now))
	}
	v := 0.0
	if total := exp.Sub(st.AccessIssuedAt); !st.AccessIssuedAt.IsZero() && total > 0 {
		v = float64(exp.Sub(now)) / float64(total)
	} else if exp.After(now) {
		v = 1 // issue time unknown: all that is known is that some is left
	}
	// Orange when the keeper says the token is at risk: refreshes are
	// failing, or its scheduled refresh is overdue. A short-lived token on
	// schedule (the demo's 2 minutes) is not a warning.
	fill := theme.ColorNamePrimary
	overdue := st.NextKind == keeper.NextRefresh && !st.NextAttempt.IsZero() && !now.Before(st.NextAttempt)
	if st.State == keeper.Retrying || overdue {
		fill = theme.ColorNameWarning
	}
	m.AccessBar.set(v, fill)
}

// tickRefresh draws the refresh token's life: a line of text and the
// timeline issued → now → warning → death, with the next keep-alive.
func (m *MainWindow) tickRefresh(now time.Time) {
	st := m.status
	if !m.alive() {
		switch {
		case m.openErr != "":
			setText(m.RefreshLabel, "Refresh token: unknown (the session could not be read)")
		case st.State == keeper.ReloginRequired && !st.DiedAt.IsZero():
			setText(m.RefreshLabel, "Refresh token: dead since "+humanize.When(st.DiedAt, now))
		case st.State == keeper.ReloginRequired:
			setText(m.RefreshLabel, "Refresh token: dead")
		default:
			setText(m.RefreshLabel, "Refresh token: none")
		}
		m.Timeline.Hide()
		m.TimelineLegend.Hide()
		return
	}
	text := "Refresh token: "
	if !st.RefreshIssuedAt.IsZero() {
		text += "issued " + humanize.When(st.RefreshIssuedAt, now) + " (" + humanize.Age(now.Sub(st.RefreshIssuedAt)) + " ago); "
	}
	text += refreshDeath(st, now)
	setText(m.RefreshLabel, text)
	if st.RefreshIssuedAt.IsZero() || st.RefreshExpiresAt.IsZero() {
		m.Timeline.Hide()
		m.TimelineLegend.Hide()
		return
	}
	next := time.Time{}
	if st.NextKind == keeper.NextKeepAlive || st.NextKind == keeper.NextRefresh {
		next = st.NextAttempt
	}
	m.Timeline.set(st.RefreshIssuedAt, st.WarnFrom, st.RefreshExpiresAt, next, now)
	showIf(m.Timeline, true)
	legend := "Timeline: issued " + humanize.When(st.RefreshIssuedAt, now)
	if !st.WarnFrom.IsZero() {
		legend += " · warning (orange) from " + humanize.When(st.WarnFrom, now)
	}
	legend += " · dies (red) " + humanize.When(st.RefreshExpiresAt, now)
	if !next.IsZero() {
		legend += " · next refresh (dot) " + humanize.When(next, now)
	}
	setShown(m.TimelineLegend, legend, true)
}

// sameWords reports whether two messages say the same once case, spacing
// and the closing full stop are ignored.
func sameWords(a, b string) bool {
	norm := func(s string) string {
		return strings.ToLower(strings.TrimSuffix(strings.Join(strings.Fields(s), " "), "."))
	}
	return norm(a) != "" && norm(a) == norm(b)
}
