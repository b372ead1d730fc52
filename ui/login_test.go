package ui

import (
	"errors"
	"strings"
	"testing"

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
