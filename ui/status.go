package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// stateLook is how a state is presented: headline, explanation, text
// importance and the colour of the card's stripe.
type stateLook struct {
	title, detail string
	importance    widget.Importance
	color         fyne.ThemeColorName
}

func lookFor(st keeper.Status) stateLook {
	switch st.State {
	case keeper.Valid:
		if st.ExpiringSoon {
			return stateLook{"Session ends soon", "The access token is usable, but the refresh token dies soon: log in again before then to keep the session.", widget.WarningImportance, theme.ColorNameWarning}
		}
		return stateLook{"Session valid", "The access token is usable and refreshes run on schedule.", widget.SuccessImportance, theme.ColorNameSuccess}
	case keeper.Refreshing:
		return stateLook{"Refreshing…", "Getting a new access token from DocuSign.", widget.HighImportance, theme.ColorNamePrimary}
	case keeper.Retrying:
		return stateLook{"Retrying refresh", "The last refresh failed for a passing reason; Token Desk tries again by itself.", widget.WarningImportance, theme.ColorNameWarning}
	case keeper.ReloginRequired:
		return stateLook{"Re-login required", "The session has ended: the refresh token no longer works, and only a new browser login helps.", widget.DangerImportance, theme.ColorNameError}
	}
	return stateLook{"Signed out", "No session is stored on this computer for this profile. Log in to start one.", widget.MediumImportance, theme.ColorNameDisabled}
}

func (m *MainWindow) buildStatusCard() fyne.CanvasObject {
	wrap := func(l *widget.Label) *widget.Label { l.Wrapping = fyne.TextWrapWord; return l }
	m.StateLabel = widget.NewLabel("")
	m.StateLabel.TextStyle.Bold = true
	m.StateLabel.SizeName = theme.SizeNameSubHeadingText
	m.stateStripe = newSwatch(theme.ColorNameDisabled, fyne.NewSize(8, 8), 4)
	m.DetailLabel = wrap(widget.NewLabel(""))
	m.ReasonLabel = wrap(widget.NewLabel(""))
	m.NextAttemptLabel = wrap(widget.NewLabel(""))
	m.LastRefreshLabel = wrap(widget.NewLabel(""))
	m.AccessLabel = wrap(widget.NewLabel(""))
	m.AccessBar = newMeter()
	m.RefreshLabel = wrap(widget.NewLabel(""))
	m.Timeline = newTimeline()
	m.TimelineLegend = wrap(widget.NewLabel(""))
	m.SourceLabel = wrap(widget.NewLabel(""))
	m.ExtendedLabel = wrap(widget.NewLabel(""))
	m.StorageErrorLabel = wrap(widget.NewLabel(""))
	m.StorageErrorLabel.Importance = widget.DangerImportance
	m.StorageErrorLabel.TextStyle.Bold = true
	m.StorageErrorLabel.Hide()

	body := container.NewVBox(
		m.StateLabel, m.DetailLabel, m.ReasonLabel, m.NextAttemptLabel, m.LastRefreshLabel, m.StorageErrorLabel,
		widget.NewSeparator(),
		m.AccessLabel, m.AccessBar,
		widget.NewSeparator(),
		m.RefreshLabel, m.Timeline, m.TimelineLegend, m.SourceLabel, m.ExtendedLabel,
	)
	bg := newSwatch(theme.ColorNameInputBackground, fyne.Size{}, theme.InputRadiusSize())
	m.statusCard = container.NewStack(bg, container.NewBorder(nil, nil, m.stateStripe, nil, container.NewPadded(body)))
	return m.statusCard
}

// unavailableLook presents a session that could not be read: nothing is
// known about it, and nothing was changed.
var unavailableLook = stateLook{"Session unavailable",
	"Token Desk could not read this profile's stored session. Nothing was changed or deleted; fix the problem below, then choose Try again.",
	widget.DangerImportance, theme.ColorNameError}

// look is how the shown profile's state is presented.
func (m *MainWindow) look() stateLook {
	if m.openErr != "" {
		return unavailableLook
	}
	return lookFor(m.status)
}

// updateStatusCard draws the shown profile's status; the parts that depend
// on the clock are drawn by tick.
func (m *MainWindow) updateStatusCard() {
	st := m.status
	look := m.look()
	setStyled(m.StateLabel, look.title, look.importance)
	m.stateStripe.SetColorName(look.color)
	detail := look.detail
	if st.State == keeper.ReloginRequired && m.openErr == "" && !st.DiedAt.IsZero() {
		detail = "The session ended " + humanize.When(st.DiedAt, m.opt.Now()) +
			": the refresh token no longer works, and only a new browser login helps."
	}
	setText(m.DetailLabel, detail)

	reason := reasonText(st)
	if m.openErr != "" {
		reason = m.openErr
	}
	if reason == "" && (st.State == keeper.Retrying || st.State == keeper.ReloginRequired) {
		reason = "no reason given"
	}
	// The importance is set before the text, so the reason is never drawn
	// in the previous state's colour.
	m.ReasonLabel.Importance = look.importance
	if reason != "" && look.importance == widget.MediumImportance {
		m.ReasonLabel.Importance = widget.DangerImportance
	}
	setShown(m.ReasonLabel, reasonPrefix(st.State)+sentence(reason), reason != "")
	m.ReasonLabel.Refresh()

	if st.StorageError != "" {
		setShown(m.StorageErrorLabel, "Storage problem: "+sentence(st.StorageError)+
			" The newest refresh token is held only in memory; keep Token Desk running until this clears.", true)
	} else {
		m.StorageErrorLabel.Hide()
	}
	m.updateRefreshInfo()
	m.tick()
}

func reasonPrefix(s keeper.State) string {
	if s == keeper.Retrying {
		return "Why it's retrying: "
	}
	return "Why: "
}

// setText changes a label only when its text differs: every SetText
// repaints the window, which costs measurable idle CPU under software
// rendering (bench/README.md, F1).
func setText(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

// setStyled sets a label's importance and text in one repaint.
func setStyled(l *widget.Label, text string, imp widget.Importance) {
	if l.Importance == imp {
		setText(l, text)
		return
	}
	l.Importance = imp
	l.Text = text
	l.Refresh()
}

func setShown(l *widget.Label, text string, shown bool) {
	setText(l, text)
	showIf(l, shown)
}

// showIf shows or hides o, touching it only when that changes.
func showIf(o fyne.CanvasObject, shown bool) {
	if shown == o.Visible() {
		return
	}
	if shown {
		o.Show()
	} else {
		o.Hide()
	}
}

// alive reports whether the shown session has a live refresh token to draw.
func (m *MainWindow) alive() bool {
	st := m.status
	return m.openErr == "" && st.Session != nil && st.State != keeper.ReloginRequired && st.State != keeper.SignedOut
}

// updateRefreshInfo fills the parts that change only with the status: where
// the death date comes from and whether the session is extended. A dead or
// absent session shows neither: it has no remaining life to explain.
func (m *MainWindow) updateRefreshInfo() {
	st := m.status
	if !m.alive() {
		m.SourceLabel.Hide()
		m.ExtendedLabel.Hide()
		return
	}
	switch {
	case st.RefreshExpiresAt.IsZero():
		setShown(m.SourceLabel, "Death date: unknown.", true)
	case st.RefreshExpirySource == oauth.SourceToken:
		setShown(m.SourceLabel, "Death date: read from the refresh token itself.", true)
	default:
		setShown(m.SourceLabel, "Death date: estimated from when the session started or last rotated, plus the profile's refresh-token lifetime; DocuSign does not report it.", true)
	}
	if st.Extended {
		evidence := ""
		switch st.ExtendedEvidence {
		case "requested":
			evidence = " (extended was granted at consent)"
		case "token":
			evidence = " (a rotated refresh token came with a fresh lifetime)"
		}
		setStyled(m.ExtendedLabel, "Extended: yes — every refresh gives the refresh token a fresh lifetime, so the session lives on while Token Desk keeps refreshing"+evidence+".", widget.MediumImportance)
	} else {
		setStyled(m.ExtendedLabel, "Extended: no — the session ends "+humanize.When(st.RefreshExpiresAt, m.opt.Now())+
			" however often it refreshes; log in again before then.", widget.WarningImportance)
	}
	m.ExtendedLabel.Show()
}

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
	if ev.Message != "" {
		text += ": " + sentence(ev.Message)
	} else {
		text += "."
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
	fill := theme.ColorNamePrimary
	if exp.Sub(now) < 10*time.Minute {
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

func clamp01(v float64) float64 {
	switch {
	case v < 0:
		return 0
	case v > 1:
		return 1
	}
	return v
}
