package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/oauth"
)

func (m *MainWindow) buildDetails() fyne.CanvasObject {
	m.ScopesBox = container.NewHBox()
	m.ScopesNote = widget.NewLabel("")
	m.ScopesNote.Wrapping = fyne.TextWrapWord
	m.ScopesNote.Importance = widget.LowImportance
	m.ScopesNote.Hide()
	m.AccountsBox = container.NewVBox()
	return container.NewVBox(
		widget.NewCard("", "Granted scopes", container.NewVBox(container.NewHScroll(m.ScopesBox), m.ScopesNote)),
		widget.NewCard("", "Accounts", m.AccountsBox),
	)
}

// scopesNote explains DocuSign's refresh response omitting scopes.
func scopesNote(s *oauth.Session) string {
	dropped := s.ScopesDropped()
	if len(dropped) == 0 {
		return ""
	}
	return fmt.Sprintf("DocuSign's refresh response reports only %q; the grant still carries %s. Nothing to fix.",
		strings.Join(s.ReportedScopes, " "), strings.Join(dropped, ", "))
}

func (m *MainWindow) updateDetails() {
	s := m.status.Session
	m.ScopesBox.RemoveAll()
	if s == nil {
		m.ScopesBox.Add(widget.NewLabel("Not signed in."))
		m.ScopesNote.Hide()
		m.accountsKey = ""
		m.AccountsBox.RemoveAll()
		m.AccountsBox.Add(widget.NewLabel("Not signed in."))
		return
	}
	for _, sc := range s.RequestedScopes {
		m.ScopesBox.Add(newChip(sc))
	}
	if note := scopesNote(s); note != "" {
		setShown(m.ScopesNote, note, true)
	} else {
		m.ScopesNote.Hide()
	}
	m.updateAccounts()
}

// updateAccounts fills the accounts list, each field with a copy button. It
// waits until the tab is first opened and then rebuilds only when the
// accounts change: every copy button is a themed SVG icon that Fyne parses
// and colourises when it is created, the largest part of the window's
// start-up (bench/README.md).
func (m *MainWindow) updateAccounts() {
	s := m.status.Session
	if s == nil || !m.detailsOpen {
		return
	}
	var accounts []oauth.Account
	if s.User != nil {
		accounts = s.User.Accounts
	}
	key := fmt.Sprint(accounts)
	if m.AccountsBox.Objects != nil && key == m.accountsKey {
		return
	}
	m.accountsKey = key
	m.AccountsBox.RemoveAll()
	if len(accounts) == 0 {
		m.AccountsBox.Add(widget.NewLabel("No account details (userinfo was not available at login)."))
		return
	}
	for i, a := range accounts {
		if i > 0 {
			m.AccountsBox.Add(widget.NewSeparator())
		}
		name := widget.NewLabel(a.AccountName)
		name.TextStyle.Bold = true
		if a.IsDefault {
			name.SetText(a.AccountName + "  (default)")
		}
		m.AccountsBox.Add(name)
		m.AccountsBox.Add(m.copyRow("account_id: ", a.AccountID))
		m.AccountsBox.Add(m.copyRow("base_uri: ", a.BaseURI))
	}
}
