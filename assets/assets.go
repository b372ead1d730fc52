// Package assets holds Token Desk's embedded images: the application icon and
// the system-tray icons for each session state.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

var (
	//go:embed icon.png
	iconPNG []byte
	//go:embed tray-ok.png
	trayOKPNG []byte
	//go:embed tray-warn.png
	trayWarnPNG []byte
	//go:embed tray-error.png
	trayErrorPNG []byte
)

// Icon is the 512×512 application icon (also referenced by FyneApp.toml).
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)

// TrayOK is the tray icon shown while the session is valid.
var TrayOK fyne.Resource = fyne.NewStaticResource("tray-ok.png", trayOKPNG)

// TrayWarn is the tray icon shown while a refresh is retrying, the session
// is signed out, or the refresh token dies soon.
var TrayWarn fyne.Resource = fyne.NewStaticResource("tray-warn.png", trayWarnPNG)

// TrayError is the tray icon shown when a new login is required.
var TrayError fyne.Resource = fyne.NewStaticResource("tray-error.png", trayErrorPNG)
