package ui

import (
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

func clamp01(v float64) float64 {
	switch {
	case v < 0:
		return 0
	case v > 1:
		return 1
	}
	return v
}
