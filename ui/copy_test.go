package ui

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/tokendesk/tokendesk/oauth"
)

func TestFormatToken(t *testing.T) {
	for f, want := range map[TokenFormat]string{
		FormatRaw:    "abc",
		FormatHeader: "Authorization: Bearer abc",
		FormatCurl:   `-H "Authorization: Bearer abc"`,
		FormatExport: "export DOCUSIGN_ACCESS_TOKEN=abc",
		"unknown":    "abc",
	} {
		if got := FormatToken(f, "abc"); got != want {
			t.Errorf("FormatToken(%s) = %q, want %q", f, got, want)
		}
	}
	for _, f := range TokenFormats {
		if formatByLabel(f.Label()) != f {
			t.Errorf("label %q does not map back to %s", f.Label(), f)
		}
	}
}

func TestCopyPutsTokenThenClears(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	m.FormatSelect.SetSelected(FormatHeader.Label())
	test.Tap(m.CopyButton)
	clip := h.app.Clipboard()
	if got := clip.Content(); got != "Authorization: Bearer "+secretToken {
		t.Fatalf("clipboard = %q", got)
	}
	if len(h.sess.tokenMins) != 1 || h.sess.tokenMins[0] != TokenMinValid {
		t.Errorf("Token called with %v, want [%v]", h.sess.tokenMins, TokenMinValid)
	}
	assertContains(t, "notice", m.NoticeLabel.Text, "clipboard is cleared in 30s")
	assertNoTokenShown(t, m)
	if len(h.timers) != 1 || h.timers[0].d != DefaultClipboardClear {
		t.Fatalf("clear timers = %v", h.timers)
	}
	h.timers[0].f()
	if clip.Content() != "" || m.NoticeLabel.Text != "Clipboard cleared." {
		t.Errorf("after clear: clipboard %q, notice %q", clip.Content(), m.NoticeLabel.Text)
	}
}

func TestClipboardLeftAloneIfChanged(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	test.Tap(h.m.CopyButton)
	h.app.Clipboard().SetContent("something the user copied")
	h.timers[0].f()
	if got := h.app.Clipboard().Content(); got != "something the user copied" {
		t.Errorf("clipboard = %q, want the user's content kept", got)
	}
}

func TestCopyErrorShown(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	h.sess.tokenErr = errors.New("refresh failed: offline")
	test.Tap(h.m.CopyButton)
	if h.app.Clipboard().Content() != "" {
		t.Error("clipboard filled despite the error")
	}
	assertContains(t, "notice", h.m.NoticeLabel.Text, "Could not get an access token: refresh failed: offline")
}

func TestProductionCopyConfirmsFirstTimeOnly(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Production))
	m := h.m
	test.Tap(m.CopyButton)
	if h.app.Clipboard().Content() != "" {
		t.Fatal("production token copied without confirmation")
	}
	assertContains(t, "dialog", shown(m), "Copy a PRODUCTION token?")
	tapDialogButton(t, m, "Cancel")
	if h.app.Clipboard().Content() != "" {
		t.Fatal("copied after Cancel")
	}
	test.Tap(m.CopyButton)
	tapDialogButton(t, m, "Copy production token")
	if h.app.Clipboard().Content() != secretToken {
		t.Fatalf("clipboard after confirm = %q", h.app.Clipboard().Content())
	}
	h.app.Clipboard().SetContent("")
	test.Tap(m.CopyButton)
	if topDialog(m) != nil {
		t.Fatal("asked again in the same run")
	}
	if h.app.Clipboard().Content() != secretToken {
		t.Error("second copy did not copy")
	}
}

func TestShortcuts(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	m.FormatSelect.SetSelected(FormatExport.Label())
	c := m.win.Canvas().(test.WindowlessCanvas)
	sc := c.(fyne.Shortcutable)
	sc.TypedShortcut(&fyne.ShortcutCopy{})
	if got := h.app.Clipboard().Content(); got != "export DOCUSIGN_ACCESS_TOKEN="+secretToken {
		t.Errorf("Ctrl+C copied %q", got)
	}
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyC, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift})
	if got := h.app.Clipboard().Content(); got != secretToken {
		t.Errorf("Ctrl+Shift+C copied %q", got)
	}
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault})
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyF5})
	if h.sess.refreshes != 2 {
		t.Errorf("refreshes = %d, want 2", h.sess.refreshes)
	}
	assertContains(t, "notice", m.NoticeLabel.Text, "Refreshed at 09:00:00.")
}

func TestLogoutWordingAndCall(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	test.Tap(m.LogoutButton)
	assertContains(t, "dialog", shown(m), "does not revoke consent at DocuSign")
	tapDialogButton(t, m, "Log out")
	if h.sess.logouts != 1 || m.StateLabel.Text != "Signed out" {
		t.Fatalf("logouts %d, state %q", h.sess.logouts, m.StateLabel.Text)
	}
	assertContains(t, "notice", m.NoticeLabel.Text, "Profile > Connected Apps")
}
