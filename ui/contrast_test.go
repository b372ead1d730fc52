package ui

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/keeper"
)

// luminance is a colour's WCAG 2 relative luminance.
func luminance(c color.Color) float64 {
	r, g, b, _ := color.NRGBAModel.Convert(c).(color.NRGBA).RGBA()
	lin := func(v uint32) float64 {
		s := float64(v>>8) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// importanceColor is the text colour widget.Label uses for an importance.
func importanceColor(imp widget.Importance) fyne.ThemeColorName {
	switch imp {
	case widget.LowImportance:
		return theme.ColorNameDisabled
	case widget.HighImportance:
		return theme.ColorNamePrimary
	case widget.DangerImportance:
		return theme.ColorNameError
	case widget.WarningImportance:
		return theme.ColorNameWarning
	case widget.SuccessImportance:
		return theme.ColorNameSuccess
	}
	return theme.ColorNameForeground
}

// TestContrastMeetsWCAG_AA: every text/background pair the window draws
// meets 4.5:1, in light and dark, computed from the theme's own colours:
// each state's heading and reason on the window, card and dialog
// backgrounds, every label importance, the highlighted buttons, the badges;
// and the bars and timeline marks (graphics) meet 3:1 on the card.
func TestContrastMeetsWCAG_AA(t *testing.T) {
	th := legibleTheme{theme.DefaultTheme()}
	looks := []stateLook{unavailableLook}
	for _, s := range []keeper.State{keeper.SignedOut, keeper.Valid, keeper.Refreshing, keeper.Retrying, keeper.ReloginRequired} {
		looks = append(looks, lookFor(keeper.Status{State: s}))
	}
	looks = append(looks, lookFor(keeper.Status{State: keeper.Valid, ExpiringSoon: true}))
	texts := []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNamePlaceHolder}
	for _, l := range looks {
		texts = append(texts, importanceColor(l.importance))
	}
	for _, imp := range []widget.Importance{widget.LowImportance, widget.MediumImportance, widget.HighImportance,
		widget.DangerImportance, widget.WarningImportance, widget.SuccessImportance} {
		texts = append(texts, importanceColor(imp))
	}
	backgrounds := []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameOverlayBackground}
	type pair struct {
		fg, bg color.Color
		what   string
		min    float64
	}
	for _, v := range []struct {
		name string
		v    fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}} {
		c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, v.v) }
		var pairs []pair
		for _, fg := range texts {
			for _, bg := range backgrounds {
				pairs = append(pairs, pair{c(fg), c(bg), fmt.Sprintf("%s text on %s", fg, bg), 4.5})
			}
		}
		for _, fill := range []fyne.ThemeColorName{theme.ColorNamePrimary, theme.ColorNameError, theme.ColorNameSuccess, theme.ColorNameWarning} {
			on := map[fyne.ThemeColorName]fyne.ThemeColorName{theme.ColorNamePrimary: theme.ColorNameForegroundOnPrimary,
				theme.ColorNameError: theme.ColorNameForegroundOnError, theme.ColorNameSuccess: theme.ColorNameForegroundOnSuccess,
				theme.ColorNameWarning: theme.ColorNameForegroundOnWarning}[fill]
			pairs = append(pairs, pair{c(on), c(fill), fmt.Sprintf("%s on a %s button", on, fill), 4.5})
		}
		for _, l := range looks {
			pairs = append(pairs, pair{c(l.color), c(theme.ColorNameInputBackground), fmt.Sprintf("%q stripe on the card", l.title), 3})
		}
		for _, mark := range []fyne.ThemeColorName{theme.ColorNamePrimary, theme.ColorNameWarning, theme.ColorNameError, theme.ColorNameSuccess, theme.ColorNameForeground} {
			pairs = append(pairs, pair{c(mark), c(theme.ColorNameInputBackground), fmt.Sprintf("%s bar or mark on the card", mark), 3})
		}
		for name, bg := range map[string]color.Color{"production": productionColor, "demo": demoColor, "custom": customColor,
			"local sandbox": sandboxColor, "no profile": noneColor} {
			pairs = append(pairs, pair{color.White, bg, "white on the " + name + " badge", 4.5})
		}
		for _, p := range pairs {
			if r := contrast(p.fg, p.bg); r < p.min {
				t.Errorf("%s: %s is %.2f:1, want at least %.1f:1", v.name, p.what, r, p.min)
			}
		}
	}
}

// TestContrastFormula checks the ratio against WCAG's known values.
func TestContrastFormula(t *testing.T) {
	for _, tc := range []struct {
		a, b color.Color
		want float64
	}{
		{color.White, color.Black, 21},
		{color.White, color.White, 1},
		{color.NRGBA{R: 0x77, G: 0x77, B: 0x77, A: 0xFF}, color.White, 4.48},
	} {
		if got := contrast(tc.a, tc.b); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("contrast(%v, %v) = %.3f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}
}
