package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// overviewRow is one profile in the overview: its environment, its state in
// colour and words, the access token's time left and the refresh token's
// death date. Tapping it (or its Show button) opens the profile.
type overviewRow struct {
	widget.BaseWidget
	onTap func()

	stripe  *swatch
	Name    *widget.Label
	badge   *envBadge
	State   *widget.Label
	Access  *widget.Label
	Death   *widget.Label
	Open    *widget.Button
	content fyne.CanvasObject
}

func newOverviewRow(name string, onTap func()) *overviewRow {
	r := &overviewRow{onTap: onTap}
	r.stripe = newSwatch(theme.ColorNameDisabled, fyne.NewSize(8, 8), 4)
	r.Name = widget.NewLabel(name)
	r.Name.TextStyle.Bold = true
	r.badge = newEnvBadge()
	r.State = widget.NewLabel("")
	r.State.TextStyle.Bold = true
	r.Access = widget.NewLabel("")
	r.Access.Truncation = fyne.TextTruncateEllipsis
	r.Death = widget.NewLabel("")
	r.Death.Truncation = fyne.TextTruncateEllipsis
	r.Open = widget.NewButtonWithIcon("Show", theme.NavigateNextIcon(), onTap)
	head := container.NewBorder(nil, nil, container.NewHBox(r.Name, r.badge.box), r.Open, r.State)
	body := container.NewVBox(head, r.Access, r.Death)
	bg := newSwatch(theme.ColorNameInputBackground, fyne.Size{}, theme.InputRadiusSize())
	r.content = container.NewStack(bg, container.NewBorder(nil, nil, r.stripe, nil, container.NewPadded(body)))
	r.ExtendBaseWidget(r)
	return r
}

// Tapped opens the row's profile.
func (r *overviewRow) Tapped(*fyne.PointEvent) { r.onTap() }

// CreateRenderer draws the row's content.
func (r *overviewRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

// set draws one profile's status; now is the clock for the countdowns.
func (r *overviewRow) set(w *watched, p storage.Profile, now time.Time) {
	look := w.look()
	text, c := badgeFor(w.status.Environment, p.Demo)
	r.badge.set(text, c)
	r.stripe.SetColorName(look.color)
	if r.State.Importance != look.importance {
		r.State.Importance = look.importance
		r.State.Refresh()
	}
	setText(r.State, look.title)
	r.tick(w, now)
}

// tick updates the row's clock-dependent lines.
func (r *overviewRow) tick(w *watched, now time.Time) {
	st := w.status
	switch {
	case w.openErr != "":
		setText(r.Access, "Session could not be read: open it for details")
		setShown(r.Death, "", false) // no blank line in the row
	case st.State == keeper.ReloginRequired:
		died := "Session ended"
		if !st.DiedAt.IsZero() {
			died += " " + humanize.When(st.DiedAt, now)
		}
		setText(r.Access, died)
		setShown(r.Death, "Why: "+sentence(reasonText(st)), true)
	case st.Session == nil:
		setText(r.Access, "Not signed in")
		setShown(r.Death, "", false)
	default:
		setText(r.Access, "Access token: "+accessLeft(st, now))
		setShown(r.Death, "Refresh token: "+refreshDeath(st, now), true)
	}
}

// accessLeft is the access token's time left, or that there is none.
func accessLeft(st keeper.Status, now time.Time) string {
	if st.AccessExpiresAt.IsZero() {
		return "none"
	}
	return humanize.Left(st.AccessExpiresAt, now) + " (expires " + humanize.When(st.AccessExpiresAt, now) + ")"
}

// refreshDeath is when the refresh token dies, as the keeper published it.
func refreshDeath(st keeper.Status, now time.Time) string {
	if st.RefreshExpiresAt.IsZero() {
		return "death date unknown"
	}
	if !st.RefreshExpiresAt.After(now) {
		return "died " + humanize.When(st.RefreshExpiresAt, now)
	}
	return "dies " + humanize.When(st.RefreshExpiresAt, now) + " (" + humanize.Left(st.RefreshExpiresAt, now) + ")"
}

// badgeFor is the environment badge's text and colour: the built-in demo
// profile runs on the local sandbox, "DEMO" is DocuSign's developer
// environment.
func badgeFor(env oauth.Environment, localSandbox bool) (string, color.Color) {
	switch {
	case localSandbox:
		return "LOCAL SANDBOX", sandboxColor
	case env.IsProduction():
		return env.Label(), productionColor
	case env == oauth.Demo || env == "":
		return oauth.Demo.Label(), demoColor
	}
	return env.Label(), customColor
}

// buildOverview is the "All profiles" tab: one row per profile.
func (m *MainWindow) buildOverview() fyne.CanvasObject {
	m.OverviewBox = container.NewVBox()
	m.overviewRows = map[string]*overviewRow{}
	head := widget.NewLabel("Every profile at a glance. Choose one to see its session.")
	head.Wrapping = fyne.TextWrapWord
	return container.NewVScroll(container.NewVBox(head, m.OverviewBox))
}

// rebuildOverview makes one row per profile, in the picker's order.
func (m *MainWindow) rebuildOverview() {
	m.OverviewBox.RemoveAll()
	m.overviewRows = map[string]*overviewRow{}
	for _, p := range m.profileList {
		name := p.Name
		r := newOverviewRow(name, func() { m.showProfile(name) })
		m.overviewRows[name] = r
		m.OverviewBox.Add(r)
	}
	if len(m.profileList) == 0 {
		m.OverviewBox.Add(widget.NewLabel("No profile yet: add one with the + button above."))
	}
	for name := range m.overviewRows {
		m.updateOverviewRow(name)
	}
}

// updateOverviewRow redraws one profile's row.
func (m *MainWindow) updateOverviewRow(name string) {
	r, w := m.overviewRows[name], m.watch[name]
	if r == nil || w == nil {
		return
	}
	p, _ := m.profileNamed(name)
	r.set(w, p, m.opt.Now())
}

// showProfile opens a profile's session tab (from the overview or a prompt).
func (m *MainWindow) showProfile(name string) {
	if m.ProfileSelect.Selected != name {
		m.ProfileSelect.SetSelected(name) // calls selectProfile
	}
	m.tabs.Select(m.sessionTab)
}
