package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// walk visits o and everything it renders.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	visit(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walk(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walk(c, visit)
		}
	}
}

// topDialog returns the top overlay of the window (a shown dialog), or nil.
func topDialog(m *MainWindow) fyne.CanvasObject { return m.win.Canvas().Overlays().Top() }

// tapDialogButton taps the button with the given text in the top dialog.
func tapDialogButton(t *testing.T, m *MainWindow, text string) {
	t.Helper()
	top := topDialog(m)
	if top == nil {
		t.Fatalf("no dialog shown; wanted to tap %q", text)
	}
	var found *widget.Button
	walk(top, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("dialog has no button %q:\n%s", text, test.RenderObjectToMarkup(top))
	}
	test.Tap(found)
}
