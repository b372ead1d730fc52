package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// legibleTheme wraps a theme and replaces the colours that carry meaning
// (state, primary, disabled text) with shades that meet WCAG AA contrast
// (4.5:1) against the window's and the cards' backgrounds, in light and dark
// variants. Fyne's defaults fail it: success green on white is 1.3:1.
type legibleTheme struct {
	fyne.Theme
}

// Colours that meet 4.5:1 on the light and the dark backgrounds, as
// contrast_test.go checks for every pair the window draws.
var (
	lightColors = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameSuccess:             color.NRGBA{R: 0x1B, G: 0x6E, B: 0x20, A: 0xFF},
		theme.ColorNameWarning:             color.NRGBA{R: 0x8A, G: 0x4B, B: 0x00, A: 0xFF},
		theme.ColorNameError:               color.NRGBA{R: 0xB7, G: 0x1C, B: 0x1C, A: 0xFF},
		theme.ColorNamePrimary:             color.NRGBA{R: 0x15, G: 0x65, B: 0xC0, A: 0xFF},
		theme.ColorNameDisabled:            color.NRGBA{R: 0x6B, G: 0x6B, B: 0x6B, A: 0xFF},
		theme.ColorNamePlaceHolder:         color.NRGBA{R: 0x6B, G: 0x6B, B: 0x6B, A: 0xFF},
		theme.ColorNameForegroundOnPrimary: color.White,
		theme.ColorNameForegroundOnSuccess: color.White,
		theme.ColorNameForegroundOnWarning: color.White,
		theme.ColorNameForegroundOnError:   color.White,
	}
	darkColors = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameSuccess:             color.NRGBA{R: 0x66, G: 0xBB, B: 0x6A, A: 0xFF},
		theme.ColorNameWarning:             color.NRGBA{R: 0xFF, G: 0xB7, B: 0x4D, A: 0xFF},
		theme.ColorNameError:               color.NRGBA{R: 0xFF, G: 0x8A, B: 0x80, A: 0xFF},
		theme.ColorNamePrimary:             color.NRGBA{R: 0x64, G: 0xB5, B: 0xF6, A: 0xFF},
		theme.ColorNameDisabled:            color.NRGBA{R: 0x9E, G: 0x9E, B: 0x9E, A: 0xFF},
		theme.ColorNamePlaceHolder:         color.NRGBA{R: 0x9E, G: 0x9E, B: 0x9E, A: 0xFF},
		theme.ColorNameForegroundOnPrimary: color.NRGBA{R: 0x10, G: 0x10, B: 0x12, A: 0xFF},
		theme.ColorNameForegroundOnSuccess: color.NRGBA{R: 0x10, G: 0x10, B: 0x12, A: 0xFF},
		theme.ColorNameForegroundOnWarning: color.NRGBA{R: 0x10, G: 0x10, B: 0x12, A: 0xFF},
		theme.ColorNameForegroundOnError:   color.NRGBA{R: 0x10, G: 0x10, B: 0x12, A: 0xFF},
	}
)

// Color returns the legible shade for state colours and the wrapped
// theme's colour for everything else.
func (t legibleTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	set := lightColors
	if v == theme.VariantDark {
		set = darkColors
	}
	if c, ok := set[n]; ok {
		return c
	}
	return t.Theme.Color(n, v)
}

// useLegibleTheme wraps the app's theme in legibleTheme, once.
func useLegibleTheme(a fyne.App) {
	cur := a.Settings().Theme()
	if _, done := cur.(legibleTheme); done {
		return
	}
	if cur == nil {
		cur = theme.DefaultTheme()
	}
	a.Settings().SetTheme(legibleTheme{cur})
}
