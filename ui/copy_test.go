package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/tokendesk/tokendesk/internal/tokenfmt"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

func TestCopyPutsTokenThenClears(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	m.FormatSelect.SetSelected(tokenfmt.Header.Label())
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
	if len(h.timers) != 1 || h.timers[0].d != storage.DefaultClipboardClear {
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
	m.FormatSelect.SetSelected(tokenfmt.Export.Label())
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
	assertContains(t, "notice", m.NoticeLabel.Text, "Refreshed at 09:00:00 UTC.")
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

// TestShortLivedTokensAreUsable: defect 8.10. With tokens that live less
// than TokenMinValid (the demo's 2 minutes) the keeper hands out its token
// with a ShortValidityError; copy and reveal use it, say how long it is
// valid, and Reveal stays ticked, also when a refresh replaces the token.
func TestShortLivedTokensAreUsable(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	h.sess.tokenErr = &keeper.ShortValidityError{Asked: TokenMinValid, Got: 70 * time.Second, Lifetime: 2 * time.Minute}
	test.Tap(m.CopyButton)
	if got := h.app.Clipboard().Content(); got != secretToken {
		t.Fatalf("clipboard = %q, want the short-lived token", got)
	}
	assertContains(t, "notice", m.NoticeLabel.Text, "Copied (Raw token), valid for 1m 10s only.")

	test.Tap(m.RevealCheck)
	if !m.RevealCheck.Checked || m.TokenLabel.Text != secretToken {
		t.Fatalf("reveal: checked %v, label %q", m.RevealCheck.Checked, m.TokenLabel.Text)
	}
	// A refresh replaces the token: the new one is shown, Reveal stays on.
	st := validStatus(oauth.Demo)
	s := *st.Session
	s.AccessExpiresAt = s.AccessExpiresAt.Add(2 * time.Minute)
	st.Session = &s
	h.sess.mu.Lock()
	h.sess.token = "NEW-ACCESS-TOKEN"
	h.sess.mu.Unlock()
	h.sess.push(st)
	eventually(t, "the new token revealed", func() bool { return m.TokenLabel.Text == "NEW-ACCESS-TOKEN" })
	if !underUI(func() bool { return m.RevealCheck.Checked }) {
		t.Error("Reveal unticked itself after a refresh")
	}
	for _, min := range h.sess.tokenMins {
		if min != TokenMinValid {
			t.Errorf("Token asked for %v", min)
		}
	}
	// A dead session hides it.
	h.sess.push(keeper.Status{Profile: "acme", Environment: oauth.Demo, State: keeper.ReloginRequired, Session: &s})
	if underUI(func() bool { return m.RevealCheck.Checked || m.TokenLabel.Text == "NEW-ACCESS-TOKEN" }) {
		t.Errorf("re-login required: checked %v, label %q", m.RevealCheck.Checked, m.TokenLabel.Text)
	}
}

// TestCopyFormatsAreTokenfmt: the window's copy formats are tokenfmt's, the
// same text as `tokendesk token --format`.
func TestCopyFormatsAreTokenfmt(t *testing.T) {
	for _, f := range tokenfmt.WindowFormats {
		t.Run(string(f), func(t *testing.T) {
			h := newHarness(t, validStatus(oauth.Demo))
			h.m.FormatSelect.SetSelected(f.Label())
			test.Tap(h.m.CopyButton)
			want := tokenfmt.Render(f, tokenfmt.Token{AccessToken: secretToken})
			if got := h.app.Clipboard().Content(); got != want || !strings.Contains(got, secretToken) {
				t.Errorf("copied %q, want %q", got, want)
			}
		})
	}
}

// TestRefreshFailedNotice: a failed refresh is explained once: where the
// status card gives the reason the notice points there, else the notice
// gives it without the "refresh:" prefix.
func TestRefreshFailedNotice(t *testing.T) {
	oe := &oauth.Error{Op: "refresh", Msg: "the account server had a problem (HTTP 503)", Code: "temporarily_unavailable"}
	for _, tc := range []struct {
		name string
		st   keeper.Status
		err  error
		want string
	}{
		{"retrying", keeper.Status{State: keeper.Retrying, Reason: "HTTP 503"}, oe, "Refresh failed: the reason is shown above."},
		{"dead", keeper.Status{State: keeper.ReloginRequired, Reason: "invalid_grant"}, oe, "Refresh failed: the reason is shown above."},
		{"valid, server error", keeper.Status{State: keeper.Valid}, oe, "Refresh failed: the account server had a problem (HTTP 503) (the account server said temporarily_unavailable)"},
		{"other error", keeper.Status{State: keeper.Valid}, errors.New("keyring locked:\n unlock it"), "Refresh failed: keyring locked: unlock it"},
	} {
		if got := refreshFailedNotice(tc.st, tc.err); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
