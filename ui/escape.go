package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// formEntry is an entry that hands Escape to the window: a focused Fyne
// entry swallows every key, so without it Escape could not close the form
// while the cursor is in a field.
type formEntry struct {
	widget.Entry
	onEscape func()
}

// newFormEntry returns an entry that calls onEscape when Escape is typed.
func newFormEntry(onEscape func()) *formEntry {
	e := &formEntry{onEscape: onEscape}
	e.ExtendBaseWidget(e)
	return e
}

// newFormPasswordEntry is newFormEntry for a secret: the text is masked.
func newFormPasswordEntry(onEscape func()) *formEntry {
	e := newFormEntry(onEscape)
	e.Password = true
	e.Wrapping = fyne.TextWrapOff
	return e
}

// TypedKey closes on Escape and edits otherwise.
func (e *formEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// escape is what Escape does in the window: it closes the top dialog (the
// profile form, a confirmation such as log out, the re-login prompt), or
// else cancels a login in progress or closes the login pane. It reports
// whether it did anything.
func (m *MainWindow) escape() bool {
	switch {
	case m.profileDialog != nil:
		m.profileDialog.cancel()
	case m.confirmDialog != nil:
		m.confirmDialog.Hide() // the callback runs with false: cancelled
	case m.reloginDialog != nil:
		m.reloginDialog.Hide()
	case m.loginCancel != nil:
		m.cancelLogin()
	case m.loginPane != nil && m.loginPane.Visible():
		m.closeLoginPane()
		m.updateActions()
	default:
		return false
	}
	return true
}
