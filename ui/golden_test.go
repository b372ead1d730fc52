package ui

import (
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// variantTheme pins a theme to one variant, so a golden image shows the
// light or the dark look whatever the test app's settings say.
type variantTheme struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// useVariant draws the window in Token Desk's theme over Fyne's default, in
// the given variant.
func useVariant(h *harness, v fyne.ThemeVariant) {
	h.app.Settings().SetTheme(variantTheme{legibleTheme{theme.DefaultTheme()}, v})
}

// TestGoldenImages renders the window in the states a person meets, in
// light and dark, at the smallest logical size it must work at (1280×900
// at 2×, less the window frame).
func TestGoldenImages(t *testing.T) {
	retrying := func() keeper.Status {
		st := validStatus(oauth.Production)
		st.State, st.Reason = keeper.Retrying, "DocuSign did not answer (timeout)."
		st.NextAttempt, st.NextKind = t0.Add(2*time.Hour+time.Minute), keeper.NextRetry
		st.LastRefresh = &keeper.Event{At: t0.Add(2 * time.Hour), Trigger: keeper.TriggerSchedule, Message: "DocuSign did not answer (timeout)"}
		return st
	}
	dead := func() keeper.Status {
		st := reloginStatus()
		st.DiedAt = t0.Add(2 * time.Hour)
		return st
	}
	for _, tc := range []struct {
		name   string
		status keeper.Status
		tab    string
	}{
		{"valid", validStatus(oauth.Demo), "Session"},
		{"retrying", retrying(), "Session"},
		{"relogin", dead(), "Session"},
		{"signed_out", keeper.Status{State: keeper.SignedOut}, "Session"},
	} {
		for _, v := range []struct {
			name string
			v    fyne.ThemeVariant
		}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}} {
			t.Run(tc.name+"_"+v.name, func(t *testing.T) {
				h := newHarness(t, tc.status)
				if tc.status.State == keeper.ReloginRequired {
					tapDialogButton(t, h.m, "Later")
				}
				useVariant(h, v.v)
				h.m.win.Resize(defaultWindowSize(2))
				h.clock.Advance(2*time.Hour + 48*time.Second)
				h.m.tick()
				selectTab(t, h.m, tc.tab)
				test.AssertRendersToImage(t, "session_"+tc.name+"_"+v.name+".png", h.m.win.Canvas())
			})
		}
	}
}

// TestGoldenOverview renders the overview of several profiles.
func TestGoldenOverview(t *testing.T) {
	sts := twoStatuses()
	demo := sts["demo"]
	demo.State, demo.Reason, demo.DiedAt = keeper.ReloginRequired, "The refresh token was revoked.", t0
	sts["demo"] = demo
	h := newHarnessWith(t, twoProfiles(), sts)
	tapDialogButton(t, h.m, "Later")
	useVariant(h, theme.VariantLight)
	h.m.win.Resize(defaultWindowSize(2))
	test.AssertRendersToImage(t, "overview_light.png", h.m.win.Canvas())
}
