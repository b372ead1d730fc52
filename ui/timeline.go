package ui

import (
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// meter is a horizontal bar that is visibly empty at 0: an outlined track
// with a fill in a theme colour. It carries no text, so no text has to be
// legible on both the fill and the track.
type meter struct {
	widget.BaseWidget
	// Value is the filled fraction, 0 to 1.
	Value float64
	fill  fyne.ThemeColorName
}

func newMeter() *meter {
	m := &meter{fill: theme.ColorNamePrimary}
	m.ExtendBaseWidget(m)
	return m
}

// set changes the value and fill colour, repainting only when the change
// is visible (a tenth of a percent) or the bar empties or fills: every
// repaint costs idle CPU under software rendering (bench/README.md, F1).
func (m *meter) set(v float64, fill fyne.ThemeColorName) {
	v = clamp01(v)
	if !movesAPixel(m.Value, v, m.Size().Width) && (v == 0) == (m.Value == 0) && fill == m.fill {
		return
	}
	m.Value, m.fill = v, fill
	m.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (m *meter) CreateRenderer() fyne.WidgetRenderer {
	r := &meterRenderer{m: m, track: canvas.NewRectangle(color.Transparent), bar: canvas.NewRectangle(color.Transparent)}
	r.Refresh()
	return r
}

type meterRenderer struct {
	m          *meter
	track, bar *canvas.Rectangle
}

// Layout is part of fyne.WidgetRenderer.
func (r *meterRenderer) Layout(size fyne.Size) {
	r.track.Resize(size)
	r.bar.Resize(fyne.NewSize(size.Width*float32(r.m.Value), size.Height))
}

// MinSize is part of fyne.WidgetRenderer.
func (r *meterRenderer) MinSize() fyne.Size { return fyne.NewSize(60, 12) }

// Objects is part of fyne.WidgetRenderer.
func (r *meterRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.track, r.bar} }

// Destroy is part of fyne.WidgetRenderer.
func (r *meterRenderer) Destroy() {}

// Refresh is part of fyne.WidgetRenderer: it re-reads the theme colours.
func (r *meterRenderer) Refresh() {
	r.track.FillColor = theme.ColorForWidget(theme.ColorNameInputBackground, r.m)
	r.track.StrokeColor = theme.ColorForWidget(theme.ColorNameForeground, r.m)
	r.track.StrokeWidth = 1
	r.track.CornerRadius = 3
	r.bar.FillColor = theme.ColorForWidget(r.m.fill, r.m)
	r.bar.CornerRadius = 3
	r.bar.Hidden = r.m.Value <= 0
	r.Layout(r.m.Size())
	r.track.Refresh()
	r.bar.Refresh()
}

// movesAPixel reports whether a mark at fraction from of a width moves by
// at least one pixel when it goes to fraction to: only such a change is
// worth a repaint. Before the first layout (width 0) a tenth of a percent
// counts.
func movesAPixel(from, to float64, width float32) bool {
	d := math.Abs(to - from)
	if width <= 0 {
		return d >= 0.001
	}
	return d*float64(width) >= 1
}

// timeline draws a refresh token's life: issued at the left end, death at
// the right, the part already lived filled, the warning stretch before
// death in the warning colour, a tick at now and a dot at the next
// keep-alive refresh.
type timeline struct {
	widget.BaseWidget
	issued, warn, death, next, now time.Time
}

func newTimeline() *timeline {
	t := &timeline{}
	t.ExtendBaseWidget(t)
	return t
}

// frac is where x lies between issued (0) and death (1).
func (t *timeline) frac(x time.Time) float64 {
	span := t.death.Sub(t.issued)
	if span <= 0 || x.IsZero() {
		return 0
	}
	return clamp01(float64(x.Sub(t.issued)) / float64(span))
}

// set changes the dates; it repaints only when something moved visibly.
func (t *timeline) set(issued, warn, death, next, now time.Time) {
	if issued.Equal(t.issued) && warn.Equal(t.warn) && death.Equal(t.death) && next.Equal(t.next) &&
		!movesAPixel(t.frac(t.now), t.frac(now), t.Size().Width) {
		return
	}
	t.issued, t.warn, t.death, t.next, t.now = issued, warn, death, next, now
	t.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (t *timeline) CreateRenderer() fyne.WidgetRenderer {
	r := &timelineRenderer{t: t,
		track: canvas.NewRectangle(color.Transparent), lived: canvas.NewRectangle(color.Transparent),
		warn: canvas.NewRectangle(color.Transparent), death: canvas.NewRectangle(color.Transparent),
		now: canvas.NewRectangle(color.Transparent), next: canvas.NewCircle(color.Transparent)}
	r.Refresh()
	return r
}

type timelineRenderer struct {
	t                              *timeline
	track, lived, warn, death, now *canvas.Rectangle
	next                           *canvas.Circle
}

const (
	timelineHeight = 24
	timelineTrack  = 8
	timelineDot    = 12
)

// Layout is part of fyne.WidgetRenderer.
func (r *timelineRenderer) Layout(size fyne.Size) {
	t := r.t
	w := size.Width
	y := (size.Height - timelineTrack) / 2
	x := func(at time.Time) float32 { return w * float32(t.frac(at)) }
	r.track.Move(fyne.NewPos(0, y))
	r.track.Resize(fyne.NewSize(w, timelineTrack))
	r.lived.Move(fyne.NewPos(0, y))
	r.lived.Resize(fyne.NewSize(x(t.now), timelineTrack))
	wx := x(t.warn)
	if t.warn.IsZero() {
		wx = w
	}
	r.warn.Move(fyne.NewPos(wx, y))
	r.warn.Resize(fyne.NewSize(w-wx, timelineTrack))
	r.death.Move(fyne.NewPos(w-3, 0))
	r.death.Resize(fyne.NewSize(3, size.Height))
	r.now.Move(fyne.NewPos(x(t.now)-1, 0))
	r.now.Resize(fyne.NewSize(2, size.Height))
	r.next.Move(fyne.NewPos(x(t.next)-timelineDot/2, (size.Height-timelineDot)/2))
	r.next.Resize(fyne.NewSize(timelineDot, timelineDot))
}

// MinSize is part of fyne.WidgetRenderer.
func (r *timelineRenderer) MinSize() fyne.Size { return fyne.NewSize(120, timelineHeight) }

// Objects is part of fyne.WidgetRenderer.
func (r *timelineRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.lived, r.warn, r.death, r.now, r.next}
}

// Destroy is part of fyne.WidgetRenderer.
func (r *timelineRenderer) Destroy() {}

// Refresh is part of fyne.WidgetRenderer: it re-reads the theme colours.
func (r *timelineRenderer) Refresh() {
	c := func(n fyne.ThemeColorName) color.Color { return theme.ColorForWidget(n, r.t) }
	r.track.FillColor = c(theme.ColorNameInputBackground)
	r.track.StrokeColor = c(theme.ColorNameForeground)
	r.track.StrokeWidth = 1
	r.lived.FillColor = c(theme.ColorNamePrimary)
	r.warn.FillColor = c(theme.ColorNameWarning)
	r.warn.Hidden = r.t.warn.IsZero()
	r.death.FillColor = c(theme.ColorNameError)
	r.now.FillColor = c(theme.ColorNameForeground)
	r.next.FillColor = c(theme.ColorNameSuccess)
	r.next.StrokeColor = c(theme.ColorNameForeground)
	r.next.StrokeWidth = 1
	r.next.Hidden = r.t.next.IsZero()
	r.Layout(r.t.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}
