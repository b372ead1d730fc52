package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne's text dialogs are at most this wide, and at most this share of the
// window's width (fyne.io/fyne/v2/dialog, text.go).
const (
	textDialogMaxWidth    = 600
	textDialogMaxWinShare = 0.9
	dialogPadWidth        = 32 // the dialog's horizontal padding (dialog/base.go)
)

// confirm shows a question with a message sized to its text and no
// watermark icon (in a fitted dialog it would lie over the message).
func (m *MainWindow) confirm(title, msg, confirmText, dismissText string, callback func(bool)) *dialog.ConfirmDialog {
	d := dialog.NewCustomConfirm(title, confirmText, dismissText, messageLabel(msg), callback, m.win)
	showFitted(d, msg, m.win)
	return d
}

// messageLabel is a dialog's message, wrapped at the dialog's width.
func messageLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// showFitted shows a text confirm dialog sized to its text. Fyne takes the
// dialog's height from the wrapped message's height at its narrowest
// (one word a line), then lays the text out wider, which leaves blank lines
// below it; here the height is taken again once the text has its width.
func showFitted(d *dialog.ConfirmDialog, message string, win fyne.Window) {
	d.Show()
	w := widget.NewLabel(message).MinSize().Width + dialogPadWidth + 2*theme.Padding()
	w = fyne.Min(w, textDialogMaxWidth)
	if c := win.Canvas().Size().Width * textDialogMaxWinShare; c > 0 {
		w = fyne.Min(w, c)
	}
	w = fyne.Max(w, d.MinSize().Width)
	// Each layout at width w lets the wrapped label report its height for
	// that width; two rounds settle it.
	for range 2 {
		d.Resize(fyne.NewSize(w, d.MinSize().Height))
	}
}
