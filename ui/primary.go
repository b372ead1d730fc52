package ui

import "fyne.io/fyne/v2/widget"

// emphasize highlights the one action that helps now: Log in when there is
// no usable session or it ends soon, Copy otherwise; and it shows no masked
// dots for a token that does not exist.
func (m *MainWindow) emphasize() {
	usable := m.canUseToken()
	loginFirst := m.sess != nil && (!usable || m.needsLogin() != "")
	setImportance(m.CopyButton, usable && !loginFirst)
	setImportance(m.LoginButton, loginFirst)
	if m.tokenRevealed() {
		return
	}
	if usable {
		setText(m.TokenLabel, maskedToken)
	} else {
		setText(m.TokenLabel, "(no access token)")
	}
}

// setImportance makes b the highlighted (primary) button or a plain one.
func setImportance(b *widget.Button, primary bool) {
	imp := widget.MediumImportance
	if primary {
		imp = widget.HighImportance
	}
	if b.Importance != imp {
		b.Importance = imp
		b.Refresh()
	}
}
