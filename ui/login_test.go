package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

func signedOut() keeper.Status {
	return keeper.Status{Profile: "acme", Environment: oauth.Demo, State: keeper.SignedOut}
}

func TestLoginWaitingThenCancel(t *testing.T) {
	h := newHarness(t, signedOut())
	m := h.m
	test := func(cond bool, msg string) {
		t.Helper()
		if !cond {
			t.Fatal(msg)
		}
	}
	onUI(func() { m.LoginButton.Tapped(nil) })
	eventually(t, "consent URL shown", func() bool { return m.LoginURLLabel.Text == h.sess.loginURL })
	test(m.loggingIn(), "login pane not shown")
	test(len(h.opened) == 1 && h.opened[0] == h.sess.loginURL, "browser not opened with the consent URL")
	test(strings.HasPrefix(m.LoginTitle.Text, "Waiting for the browser login to DEMO"), "title: "+m.LoginTitle.Text)
	test(!m.LoginOpenError.Visible(), "open error shown without an error")
	test(m.ProfileSelect.Disabled(), "profile picker usable during login")

	onUI(func() { m.LoginCopyURL.Tapped(nil) })
	test(h.app.Clipboard().Content() == h.sess.loginURL, "consent URL not copied")

	onUI(func() { m.LoginCancelButton.Tapped(nil) })
	eventually(t, "login pane closed", func() bool { return !m.loggingIn() })
	test(m.NoticeLabel.Text == "Login cancelled.", "notice: "+m.NoticeLabel.Text)
	test(!m.ProfileSelect.Disabled(), "profile picker still disabled")
	test(m.loginCancel == nil, "login still marked running")
}

func TestLoginSuccess(t *testing.T) {
	h := newHarness(t, signedOut())
	m := h.m
	onUI(func() { m.startLogin() })
	eventually(t, "consent URL shown", func() bool { return m.LoginURLLabel.Text == h.sess.loginURL })
	h.sess.loginResult <- nil
	eventually(t, "login finished", func() bool { return !m.loggingIn() })
	h.sess.push(validStatus(oauth.Demo))
	if m.StateLabel.Text != "Session valid" || m.NoticeLabel.Text != "Signed in." {
		t.Fatalf("after login: %q / %q", m.StateLabel.Text, m.NoticeLabel.Text)
	}
}

func TestLoginFailureShowsError(t *testing.T) {
	h := newHarness(t, signedOut())
	h.openErr = errors.New("xdg-open not found")
	m := h.m
	onUI(func() { m.startLogin() })
	eventually(t, "consent URL shown", func() bool { return m.LoginURLLabel.Text == h.sess.loginURL })
	if !m.LoginOpenError.Visible() || !strings.Contains(m.LoginOpenError.Text, "The browser did not open: xdg-open not found") {
		t.Errorf("open error = %q (visible %v)", m.LoginOpenError.Text, m.LoginOpenError.Visible())
	}
	h.sess.loginResult <- errors.New("access_denied: the user refused consent")
	eventually(t, "failure shown", func() bool { return m.LoginError.Visible() })
	if m.LoginTitle.Text != "Login failed" || m.LoginError.Text != "access_denied: the user refused consent" {
		t.Errorf("failure shows %q / %q", m.LoginTitle.Text, m.LoginError.Text)
	}
	if !m.loggingIn() || !m.LoginRetryButton.Visible() || !m.LoginBackButton.Visible() || m.LoginCancelButton.Visible() {
		t.Error("failure pane lacks Try again / Back")
	}
	assertContains(t, "window", shown(m), "access_denied: the user refused consent")

	onUI(func() { m.LoginRetryButton.Tapped(nil) })
	eventually(t, "second login", func() bool { h.sess.mu.Lock(); defer h.sess.mu.Unlock(); return h.sess.loginCalls == 2 })
	onUI(func() { m.cancelLogin() })
	eventually(t, "cancelled", func() bool { return !m.loggingIn() })
}

// pasteProfiles hands out one session for every profile.
type pasteProfiles struct {
	*fakeProfiles
	sess Session
}

func (p pasteProfiles) Session(string) (Session, error) { return p.sess, nil }

// pasteSession is a fakeSession whose login accepts pasted addresses: it
// accepts one carrying state=S and code, and rejects anything else.
type pasteSession struct {
	*fakeSession
}

func (p pasteSession) LoginPaste(ctx context.Context, o oauth.LoginOptions) error {
	o.OnURL("http://127.0.0.1:8765/start", "https://account-d.docusign.com/oauth/auth?client_id=x&state=S")
	for {
		select {
		case s := <-o.Paste:
			if strings.Contains(s, "state=S") && strings.Contains(s, "code=") {
				return nil
			}
			o.OnPasteRejected(errors.New("the address does not come from this login"))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// TestLoginPasteFallback: issue 10. The login pane offers the consent
// address for a browser on another computer and takes the address that
// browser ended on; a wrong one is refused with the reason, and the login
// goes on waiting.
func TestLoginPasteFallback(t *testing.T) {
	h := newHarness(t, signedOut())
	var m *MainWindow
	onUI(func() {
		m = newMainWindow(h.app, pasteProfiles{h.profiles, pasteSession{h.sess}},
			Options{OpenURL: func(string) error { return nil }}, nil)
	})
	t.Cleanup(func() { onUI(m.Close) })
	p := m.Paste
	if underUI(p.box.Visible) {
		t.Fatal("paste fallback shown before a login")
	}
	onUI(func() { m.startLogin() })
	eventually(t, "start address shown", func() bool { return m.LoginURLLabel.Text == "http://127.0.0.1:8765/start" })
	if !underUI(func() bool { return p.box.Visible() && !p.CopyConsent.Disabled() }) {
		t.Fatal("paste fallback not offered")
	}
	onUI(func() { test.Tap(p.CopyConsent) })
	if got := h.app.Clipboard().Content(); !strings.Contains(got, "/oauth/auth?client_id=x&state=S") {
		t.Errorf("copied consent address %q", got)
	}
	onUI(func() { test.Tap(p.UseButton) })
	if !underUI(func() bool { return strings.Contains(p.Status.Text, "Paste the whole address") }) {
		t.Errorf("empty paste: status %q", p.Status.Text)
	}
	onUI(func() { p.Entry.SetText("http://127.0.0.1:8765/callback?code=c&state=OTHER"); test.Tap(p.UseButton) })
	eventually(t, "rejection shown", func() bool {
		return strings.Contains(p.Status.Text, "Not accepted: the address does not come from this login")
	})
	if !underUI(func() bool { return m.loggingIn() && p.Entry.Text == "" }) {
		t.Fatal("login stopped after a rejected paste, or the pasted code stayed on screen")
	}
	onUI(func() {
		p.Entry.SetText("  http://127.0.0.1:8765/callback?code=c&state=S ")
		p.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	eventually(t, "login finished", func() bool { return !m.loggingIn() })
	if !underUI(func() bool { return m.NoticeLabel.Text == "Signed in." }) {
		t.Errorf("notice %q", m.NoticeLabel.Text)
	}
}
