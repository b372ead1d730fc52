package ui

import (
	"strings"

	"fyne.io/fyne/v2/dialog"
)

// showStorageWarnings tells, once, what opening the configuration had to
// fix or could not (Options.StorageWarnings): the command line prints the
// same sentences on stderr.
func (m *MainWindow) showStorageWarnings() {
	if m.storageWarned || len(m.opt.StorageWarnings) == 0 {
		return
	}
	m.storageWarned = true
	text := strings.Join(m.opt.StorageWarnings, "\n\n")
	d := dialog.NewCustom("Token Desk: about your configuration", "OK", messageLabel(text), m.win)
	m.StorageWarningDialog = d
	d.Show()
}
