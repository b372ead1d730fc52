package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// TestDefaultSizeFitsTheScreen: defect 8.9. The window opens no larger than
// a 1024×700 screen at 1× and a 1280×900 screen at 2× (FYNE_SCALE=2), in
// physical pixels, with room for the title bar.
func TestDefaultSizeFitsTheScreen(t *testing.T) {
	for _, tc := range []struct {
		scale         float32
		screenW, scrH float32
	}{
		{1, 1024, 700},
		{2, 1280, 900},
		{0, 1024, 700}, // scale unknown: treated as 1
	} {
		s := defaultWindowSize(tc.scale)
		scale := tc.scale
		if scale <= 0 {
			scale = 1
		}
		if s.Width*scale > tc.screenW || s.Height*scale > tc.scrH-30 {
			t.Errorf("scale %v: %v×%v logical is %v×%v physical, larger than %v×%v less a title bar",
				tc.scale, s.Width, s.Height, s.Width*scale, s.Height*scale, tc.screenW, tc.scrH)
		}
		if s.Width < 600 || s.Height < 420 {
			t.Errorf("scale %v: %v is needlessly small", tc.scale, s)
		}
	}
}

// TestUsableAtSmallSizes: at 1024×700 (1×) and 1280×900 at 2× the window
// does not grow past the screen (its content's minimum fits) and the Copy
// button stays in view while the status above it scrolls, in every state.
func TestUsableAtSmallSizes(t *testing.T) {
	dead := reloginStatus()
	for _, st := range []keeper.Status{validStatus(oauth.Production), dead, {State: keeper.SignedOut}} {
		for _, size := range []fyne.Size{defaultWindowSize(1), defaultWindowSize(2)} {
			h := newHarness(t, st)
			m := h.m
			if min := m.win.Content().MinSize(); min.Width > size.Width || min.Height > size.Height {
				t.Errorf("%s at %v: the content needs %v, so the window would grow past the screen", st.State, size, min)
			}
			m.win.Resize(size)
			selectTab(t, m, "Session")
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(m.CopyButton)
			end := pos.Add(m.CopyButton.Size())
			canvas := m.win.Canvas().Size()
			if !m.CopyButton.Visible() || m.CopyButton.Size().Height == 0 || end.X > canvas.Width || end.Y > canvas.Height || pos.Y < 0 {
				t.Errorf("%s at %v: Copy is at %v–%v, outside the %v window", st.State, size, pos, end, canvas)
			}
		}
	}
}

// TestUserScaleReadsFYNE_SCALE: the opening size follows FYNE_SCALE, which
// Fyne's settings do not report.
func TestUserScaleReadsFYNE_SCALE(t *testing.T) {
	a := test.NewTempApp(t)
	for env, want := range map[string]float32{"2": 2, "1.5": 1.5, "": a.Settings().Scale(), "auto": a.Settings().Scale(), "x": a.Settings().Scale()} {
		if got := userScale(a, func(string) string { return env }); got != want {
			t.Errorf("FYNE_SCALE=%q: scale %v, want %v", env, got, want)
		}
	}
}
