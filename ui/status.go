package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

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
		return stateLook{"Session valid", "The access token is usable and refreshes run on schedule.", widget.SuccessImportance, theme.ColorNameSuccess}
	case keeper.Refreshing:
		return stateLook{"Refreshing…", "Getting a new access token from DocuSign.", widget.HighImportance, theme.ColorNamePrimary}
	case keeper.Retrying:
		return stateLook{"Retrying refresh", "The last refresh failed for a passing reason; Token Desk tries again by itself.", widget.WarningImportance, theme.ColorNameWarning}
	case keeper.ReloginRequired:
		return stateLook{"Re-login required", "The refresh token no longer works; only a new browser login helps.", widget.DangerImportance, theme.ColorNameError}
	}
	return stateLook{"Signed out", "No session is stored on this computer for this profile. Log in to start one.", widget.LowImportance, theme.ColorNameDisabled}
}

func (m *MainWindow) buildStatusCard() fyne.CanvasObject {
	wrap := func(l *widget.Label) *widget.Label { l.Wrapping = fyne.TextWrapWord; return l }
	m.StateLabel = widget.NewLabel("")
	m.StateLabel.TextStyle.Bold = true
	m.StateLabel.SizeName = theme.SizeNameSubHeadingText
	m.stateStripe = newSwatch(theme.ColorNameDisabled, fyne.NewSize(8, 8), 4)
	m.DetailLabel = wrap(widget.NewLabel(""))
	m.ReasonLabel = wrap(widget.NewLabel(""))
	m.NextAttemptLabel = widget.NewLabel("")
	m.AccessLabel = widget.NewLabel("")
	m.AccessBar = widget.NewProgressBar()
	m.AccessBar.TextFormatter = func() string {
		return fmt.Sprintf("%.0f%% of the access token's lifetime left", m.AccessBar.Value*100)
	}
	m.RefreshLabel = wrap(widget.NewLabel(""))
	m.SourceLabel = wrap(widget.NewLabel(""))
	m.ExtendedLabel = wrap(widget.NewLabel(""))
	m.StorageErrorLabel = wrap(widget.NewLabel(""))
	m.StorageErrorLabel.Importance = widget.DangerImportance
	m.StorageErrorLabel.TextStyle.Bold = true
	m.StorageErrorLabel.Hide()

	body := container.NewVBox(
		m.StateLabel, m.DetailLabel, m.ReasonLabel, m.NextAttemptLabel, m.StorageErrorLabel,
		widget.NewSeparator(),
		m.AccessLabel, m.AccessBar,
		widget.NewSeparator(),
		m.RefreshLabel, m.SourceLabel, m.ExtendedLabel,
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

func (m *MainWindow) updateStatusCard() {
	st := m.status
	look := m.look()
	m.StateLabel.Importance = look.importance
	m.StateLabel.SetText(look.title)
	m.stateStripe.SetColorName(look.color)
	m.DetailLabel.SetText(look.detail)

	reason := st.Reason
	if m.openErr != "" {
		reason = m.openErr
	}
	if reason == "" && (st.State == keeper.Retrying || st.State == keeper.ReloginRequired) {
		reason = "no reason given"
	}
	if st.ErrorCode != "" {
		reason += " (DocuSign error: " + st.ErrorCode + ")"
	}
	setShown(m.ReasonLabel, reasonPrefix(st.State)+reason, reason != "")
	m.ReasonLabel.Importance = look.importance

	if st.StorageError != "" {
		m.StorageErrorLabel.SetText("Storage problem: " + st.StorageError +
			". The newest refresh token is held only in memory; keep Token Desk running until this clears.")
		m.StorageErrorLabel.Show()
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

// setBar moves a progress bar only when the change is visible (a tenth of
// a percent) or it reaches zero, for the same reason as setText.
func setBar(b *widget.ProgressBar, v float64) {
	if d := b.Value - v; d >= 0.001 || d <= -0.001 || (v == 0) != (b.Value == 0) {
		b.SetValue(v)
	}
}

func setShown(l *widget.Label, text string, shown bool) {
	setText(l, text)
	if shown == l.Visible() {
		return
	}
	if shown {
		l.Show()
	} else {
		l.Hide()
	}
}

// refreshLifetime is the profile's refresh-token lifetime for estimates.
func (m *MainWindow) refreshLifetime() time.Duration {
	if m.opt.RefreshLifetime != nil {
		if d := m.opt.RefreshLifetime(m.profile); d > 0 {
			return d
		}
	}
	if p, ok := m.currentProfile(); ok && p.RefreshLifetime > 0 {
		return time.Duration(p.RefreshLifetime)
	}
	return oauth.DefaultRefreshLifetime
}

// lifetimeWords renders a refresh-token lifetime as an adjective: "30-day",
// "10-minute", "12-hour".
func lifetimeWords(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d-day", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d-hour", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d-minute", d/time.Minute)
	}
	return d.String()
}

// refreshExpiry is when the refresh token dies and where that comes from.
func (m *MainWindow) refreshExpiry() (time.Time, oauth.ExpirySource) {
	st := m.status
	if !st.RefreshExpiresAt.IsZero() {
		return st.RefreshExpiresAt, st.RefreshExpirySource
	}
	if st.Session == nil {
		return time.Time{}, ""
	}
	return st.Session.RefreshExpiry(m.refreshLifetime())
}

// updateRefreshInfo fills the parts that change only with the status.
func (m *MainWindow) updateRefreshInfo() {
	s := m.status.Session
	if s == nil {
		m.SourceLabel.Hide()
		m.ExtendedLabel.Hide()
		return
	}
	exp, src := m.refreshExpiry()
	life := lifetimeWords(m.refreshLifetime())
	switch {
	case src == oauth.SourceToken:
		m.SourceLabel.SetText("Where the date comes from: read from the refresh token itself.")
	case s.Extended() && !s.RotatedAt.IsZero():
		m.SourceLabel.SetText(fmt.Sprintf("Where the date comes from: estimated from the last rotation time (%s) + the %s lifetime.", formatDate(s.RotatedAt), life))
	default:
		base := s.ConsentedAt
		if s.Extended() && !s.RefreshIssuedAt.IsZero() {
			base = s.RefreshIssuedAt
		}
		m.SourceLabel.SetText(fmt.Sprintf("Where the date comes from: estimated from the consent time (%s) + the %s lifetime.", formatDate(base), life))
	}
	m.SourceLabel.Show()
	if s.Extended() {
		m.ExtendedLabel.Importance = widget.MediumImportance
		m.ExtendedLabel.SetText(fmt.Sprintf("Extended: yes — every refresh restarts a sliding %s window, so the session lives as long as Token Desk keeps refreshing.", life))
	} else {
		m.ExtendedLabel.Importance = widget.WarningImportance
		m.ExtendedLabel.SetText(fmt.Sprintf("Extended: no — the session hard-stops on %s however often it refreshes; log in again before then.", formatDate(exp)))
	}
	m.ExtendedLabel.Show()
}

// tick updates everything that depends on the clock: the access-token
// countdown and bar, the refresh token's age and days left, and the time
// to the next retry. It runs at most once a second while the window shows.
func (m *MainWindow) tick() {
	if m.AccessLabel == nil {
		return
	}
	now := m.opt.Now()
	st := m.status
	s := st.Session
	if !st.NextAttempt.IsZero() && (st.State == keeper.Retrying || st.State == keeper.Valid) {
		in := st.NextAttempt.Sub(now)
		text := "Next automatic refresh at " + formatClock(st.NextAttempt)
		if in > 0 {
			text += " (in " + formatCountdown(in) + ")"
		} else {
			text += " (due now)"
		}
		setShown(m.NextAttemptLabel, text, true)
	} else {
		m.NextAttemptLabel.Hide()
	}
	if s == nil {
		setText(m.AccessLabel, "Access token: none")
		setBar(m.AccessBar, 0)
		setText(m.RefreshLabel, "Refresh token: none")
		return
	}

	left := s.AccessExpiresAt.Sub(now)
	if left > 0 {
		setText(m.AccessLabel, fmt.Sprintf("Access token: %s left (expires %s)", formatCountdown(left), formatClock(s.AccessExpiresAt)))
	} else {
		setText(m.AccessLabel, fmt.Sprintf("Access token: expired %s ago", formatCountdown(left)))
	}
	total := accessLifetime(s)
	setBar(m.AccessBar, clamp01(float64(left)/float64(total)))

	issued := s.RefreshIssuedAt
	if issued.IsZero() {
		issued = s.ConsentedAt
	}
	exp, _ := m.refreshExpiry()
	text := "Refresh token: issued " + formatAge(now.Sub(issued)) + " ago"
	if exp.After(now) {
		text += fmt.Sprintf("; dies %s (%s)", formatDate(exp), timeLeft(now, exp))
	} else if !exp.IsZero() {
		text += "; died " + formatDate(exp)
	}
	setText(m.RefreshLabel, text)
}

// accessLifetime is the current access token's total lifetime: from its
// issue (the last refresh, rotation or consent) to its expiry, or 8 hours
// when that is not known.
func accessLifetime(s *oauth.Session) time.Duration {
	issued := s.RefreshIssuedAt
	if s.RotatedAt.After(issued) {
		issued = s.RotatedAt
	}
	if issued.IsZero() {
		issued = s.ConsentedAt
	}
	if d := s.AccessExpiresAt.Sub(issued); !issued.IsZero() && d > 0 && d <= 24*time.Hour {
		return d
	}
	return assumedAccessLifetime
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

func plural(n int, unit string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// timeLeft says how long until exp: in days while there are two or more,
// then in hours and minutes, so a dying token never reads "0 days left".
func timeLeft(now, exp time.Time) string {
	d := exp.Sub(now)
	switch {
	case d <= 0:
		return "already expired"
	case d >= 48*time.Hour:
		return plural(daysLeft(now, exp), "day") + " left"
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm left", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dm %ds left", int(d.Minutes()), int(d.Seconds())%60)
}
