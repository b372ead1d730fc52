package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// swatch is a filled, rounded rectangle in a theme colour; it follows the
// light/dark theme because its renderer re-reads the colour on refresh.
type swatch struct {
	widget.BaseWidget
	colorName fyne.ThemeColorName
	minSize   fyne.Size
	radius    float32
}

func newSwatch(name fyne.ThemeColorName, min fyne.Size, radius float32) *swatch {
	s := &swatch{colorName: name, minSize: min, radius: radius}
	s.ExtendBaseWidget(s)
	return s
}

// SetColorName changes the swatch's theme colour.
func (s *swatch) SetColorName(name fyne.ThemeColorName) {
	if s.colorName == name {
		return
	}
	s.colorName = name
	s.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (s *swatch) CreateRenderer() fyne.WidgetRenderer {
	r := &swatchRenderer{s: s, rect: canvas.NewRectangle(color.Transparent)}
	r.Refresh()
	return r
}

type swatchRenderer struct {
	s    *swatch
	rect *canvas.Rectangle
}

// Layout is part of fyne.WidgetRenderer.
func (r *swatchRenderer) Layout(size fyne.Size) { r.rect.Resize(size) }

// MinSize is part of fyne.WidgetRenderer.
func (r *swatchRenderer) MinSize() fyne.Size { return r.s.minSize }

// Objects is part of fyne.WidgetRenderer.
func (r *swatchRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.rect} }

// Destroy is part of fyne.WidgetRenderer.
func (r *swatchRenderer) Destroy() {}

// Refresh is part of fyne.WidgetRenderer: it re-reads the theme colours.
func (r *swatchRenderer) Refresh() {
	r.rect.FillColor = theme.ColorForWidget(r.s.colorName, r.s)
	r.rect.CornerRadius = r.s.radius
	r.rect.Refresh()
}

// newChip is a small rounded label, used for scopes.
func newChip(text string) fyne.CanvasObject {
	bg := newSwatch(theme.ColorNameInputBackground, fyne.NewSize(0, 0), theme.InputRadiusSize())
	l := widget.NewLabel(text)
	l.TextStyle.Monospace = true
	return container.NewStack(bg, l)
}

// Badge colours: fixed, not themed, so production looks alarming everywhere.
var (
	productionColor = color.NRGBA{R: 0xC6, G: 0x28, B: 0x28, A: 0xFF} // red
	demoColor       = color.NRGBA{R: 0x15, G: 0x65, B: 0xC0, A: 0xFF} // blue
	customColor     = color.NRGBA{R: 0x6A, G: 0x1B, B: 0x9A, A: 0xFF} // purple
	sandboxColor    = color.NRGBA{R: 0x00, G: 0x69, B: 0x5C, A: 0xFF} // teal
	noneColor       = color.NRGBA{R: 0x75, G: 0x75, B: 0x75, A: 0xFF} // grey
)

// envBadge is the environment badge: white bold text on a coloured pill.
type envBadge struct {
	bg   *canvas.Rectangle
	text *canvas.Text
	box  *fyne.Container
}

func newEnvBadge() *envBadge {
	b := &envBadge{bg: canvas.NewRectangle(noneColor), text: canvas.NewText("NO PROFILE", color.White)}
	b.bg.CornerRadius = theme.InputRadiusSize()
	b.text.TextStyle = fyne.TextStyle{Bold: true}
	b.text.Alignment = fyne.TextAlignCenter
	b.box = container.NewStack(b.bg, container.NewPadded(b.text))
	return b
}

func (b *envBadge) set(text string, c color.Color) {
	b.text.Text = text
	b.bg.FillColor = c
	b.text.Refresh()
	b.bg.Refresh()
	b.box.Refresh()
}

// copyRow is a label with a copy button that puts value on the clipboard;
// the feedback appears on the row itself, where the person is looking.
func (m *MainWindow) copyRow(label, value string) fyne.CanvasObject {
	l := widget.NewLabel(label + value)
	l.Wrapping = fyne.TextWrapBreak
	done := widget.NewLabel("")
	done.Importance = widget.SuccessImportance
	done.Hide()
	btn := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() {
		m.app.Clipboard().SetContent(value)
		setShown(done, "Copied", true)
	})
	return container.NewBorder(nil, nil, nil, container.NewHBox(done, btn), l)
}
