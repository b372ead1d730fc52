//go:build tokendesk_bench

// Command barewindow is the baseline of the window benchmark: a minimal Fyne
// window (a label and a button) on the same Fyne version as Token Desk.
// Build it with: go build -tags tokendesk_bench ./bench/barewindow
// (the tag keeps it out of `go vet ./...` and the cross-builds).
//
// -tray also installs a system-tray menu and icon, as Token Desk does, to
// measure what the tray costs on its own.
package main

import (
	"flag"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func main() {
	tray := flag.Bool("tray", false, "install a system-tray menu and icon")
	flag.Parse()
	a := app.NewWithID("io.tokendesk.barewindow")
	w := a.NewWindow("Bare Fyne")
	label := widget.NewLabel("Hello")
	w.SetContent(container.NewVBox(label, widget.NewButton("Click", func() { label.SetText("Clicked") })))
	w.Resize(fyne.NewSize(720, 620))
	if da, ok := a.(desktop.App); ok && *tray {
		da.SetSystemTrayMenu(fyne.NewMenu("Bare Fyne", fyne.NewMenuItem("Show", w.Show)))
		da.SetSystemTrayIcon(theme.FyneLogo())
	}
	w.ShowAndRun()
}
