package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/demo"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// sandboxEnv is a local sandbox's environment, as demo mode's profile has.
const sandboxEnv = oauth.Environment("http://127.0.0.1:42909")

// demoWindow is a window in demo mode (opt.DemoNote = demo.Note unless
// noNote): the demo's sandbox profile "demo", shown first, and a real
// profile "acme-dev".
func demoWindow(t *testing.T, demoStatus keeper.Status, noNote bool) *harness {
	t.Helper()
	h := &harness{t: t, app: test.NewTempApp(t), clock: &fakeClock{now: t0}}
	sandbox := storage.Profile{Name: "demo", Environment: string(sandboxEnv), IntegrationKey: "1a2b3c4d-0000-1111-2222-333344445555", Demo: true}
	demoStatus.Profile = "demo"
	if demoStatus.Environment == "" {
		demoStatus.Environment = sandboxEnv
	}
	h.sess = newFakeSession(demoStatus)
	h.profiles = &fakeProfiles{
		profiles: []storage.Profile{sandbox, testProfile("acme-dev")},
		sessions: map[string]*fakeSession{"demo": h.sess,
			"acme-dev": newFakeSession(keeper.Status{Profile: "acme-dev", Environment: oauth.Demo, State: keeper.SignedOut})},
	}
	opt := Options{DemoNote: demo.Note, Initial: "demo"}
	if noNote {
		opt.DemoNote = ""
	}
	h.m = h.build(opt)
	return h
}

// TestDemoBannerOnlyOverDemoProfile: the demo banner explains the local
// sandbox, so it shows while the sandbox profile is shown and never over a
// real profile; and it takes one line at 1× in a window of a 1024-pixel
// screen, so it does not push the session out of view.
func TestDemoBannerOnlyOverDemoProfile(t *testing.T) {
	h := demoWindow(t, keeper.Status{State: keeper.SignedOut}, false)
	m := h.m
	for _, step := range []struct {
		show string
		want bool
	}{{"demo", true}, {"acme-dev", false}, {"demo", true}} {
		m.showProfile(step.show)
		if got := m.DemoBanner.Visible(); got != step.want {
			t.Errorf("profile %s shown: banner visible = %v, want %v", step.show, got, step.want)
		}
	}

	// No note (not demo mode): no banner even over a sandbox profile.
	h2 := demoWindow(t, keeper.Status{State: keeper.SignedOut}, true)
	if h2.m.DemoBanner.Visible() {
		t.Error("banner shown without a demo note")
	}

	var note *widget.Label
	walk(m.DemoBanner, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == demo.Note {
			note = l
		}
	})
	if note == nil {
		t.Fatal("the banner does not show demo.Note")
	}
	// Measure in the fonts and sizes a user sees, not the test theme's.
	h.app.Settings().SetTheme(legibleTheme{theme.DefaultTheme()})
	oneLine := widget.NewLabel("Demo").MinSize().Height
	for _, scale := range []float32{1, 2} {
		m.win.Resize(defaultWindowSize(scale))
		// A wrapped label's minimum height is its height at its width.
		if h := note.MinSize().Height; h > oneLine {
			t.Errorf("at %v (scale %v) the banner is %v high, more than one line (%v)", defaultWindowSize(scale), scale, h, oneLine)
		}
	}
}

// TestPrimaryActionWithoutScrolling: at 1024×700 (1×) and 1280×900 at 2×,
// with the demo banner up, the action that helps now — Log in when signed
// out or the session is dead, Copy when it is valid — lies fully inside the
// window, without scrolling.
func TestPrimaryActionWithoutScrolling(t *testing.T) {
	valid := validStatus(sandboxEnv)
	dead := reloginStatus()
	dead.Environment = sandboxEnv
	tests := []struct {
		name    string
		st      keeper.Status
		primary func(m *MainWindow) *widget.Button
	}{
		{"signed out", keeper.Status{State: keeper.SignedOut, Environment: sandboxEnv}, func(m *MainWindow) *widget.Button { return m.LoginButton }},
		{"re-login required", dead, func(m *MainWindow) *widget.Button { return m.LoginButton }},
		{"valid", valid, func(m *MainWindow) *widget.Button { return m.CopyButton }},
	}
	for _, tc := range tests {
		for _, scale := range []float32{1, 2} {
			h := demoWindow(t, tc.st, false)
			m := h.m
			size := defaultWindowSize(scale)
			if d := m.reloginDialog; d != nil {
				d.Hide()
			}
			m.win.Resize(size)
			selectTab(t, m, "Session")
			b := tc.primary(m)
			if b.Importance != widget.HighImportance {
				t.Errorf("%s at %v: %q is not the highlighted action", tc.name, size, b.Text)
			}
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
			end := pos.Add(b.Size())
			canvas := m.win.Canvas().Size()
			if !b.Visible() || b.Size().Height == 0 || pos.X < 0 || pos.Y < 0 || end.X > canvas.Width || end.Y > canvas.Height {
				t.Errorf("%s at %v (scale %v): %q is at %v–%v, outside the %v window", tc.name, size, scale, b.Text, pos, end, canvas)
			}
		}
	}
}

// TestReloginDialogNamesServerAndFitsText: the re-login prompt names the
// session's server (DocuSign only for DocuSign's own), and the dialog is as
// tall as its text: no blank lines between the message and its buttons.
func TestReloginDialogNamesServerAndFitsText(t *testing.T) {
	tests := []struct {
		name          string
		env           oauth.Environment
		want, notWant string
	}{
		{"docusign demo", oauth.Demo, "The DocuSign session of profile demo has ended", "account server"},
		{"local sandbox", sandboxEnv, "The local sandbox session of profile demo has ended", "DocuSign session"},
	}
	for _, tc := range tests {
		for _, scale := range []float32{1, 2} {
			valid := validStatus(tc.env)
			h := demoWindow(t, valid, false)
			m := h.m
			m.win.Resize(defaultWindowSize(scale))
			st := reloginStatus()
			st.Profile, st.Environment = "demo", tc.env
			h.sess.push(st)
			if m.reloginDialog == nil {
				t.Fatalf("%s: no re-login dialog", tc.name)
			}
			text := shown(m)
			assertContains(t, tc.name, text, tc.want)
			if strings.Contains(text, tc.notWant) {
				t.Errorf("%s: dialog says %q:\n%s", tc.name, tc.notWant, text)
			}
			assertDialogFitsText(t, m, fmt.Sprintf("%s at %v", tc.name, defaultWindowSize(scale)))
		}
	}

	// A custom server (not the demo's sandbox) is named by its URL.
	st := reloginStatus()
	st.Profile, st.Environment = "acme", "https://account.example.com"
	_, msg := reloginText(episodeRelogin, st, false, t0)
	assertContains(t, "custom server", msg, "The session of profile acme with the account server (https://account.example.com) has ended")
}

// assertDialogFitsText fails if the top dialog's message is given more than
// half a line of height beyond what its wrapped text needs at its width
// (blank space between the message and the buttons), or if the buttons
// overlap the message.
func assertDialogFitsText(t *testing.T, m *MainWindow, what string) {
	t.Helper()
	var msg *widget.Label
	var buttonsTop float32 = -1
	d := fyne.CurrentApp().Driver()
	walk(topDialog(m), func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			if v.Wrapping == fyne.TextWrapWord && msg == nil {
				msg = v
			}
		case *widget.Button:
			if y := d.AbsolutePositionForObject(v).Y; buttonsTop < 0 || y < buttonsTop {
				buttonsTop = y
			}
		}
	})
	if msg == nil || buttonsTop < 0 {
		t.Fatalf("%s: no message or buttons in the dialog", what)
	}
	line := widget.NewLabel("x").MinSize().Height
	if blank := msg.Size().Height - msg.MinSize().Height; blank > line/2 {
		t.Errorf("%s: the message has %v of blank space below its text (a line is %v)", what, blank, line)
	}
	if end := d.AbsolutePositionForObject(msg).Y + msg.MinSize().Height; end > buttonsTop {
		t.Errorf("%s: the buttons (at %v) overlap the message (ends at %v)", what, buttonsTop, end)
	}
}

// TestSavedProfileShowsSessionEnded: editing a signed-in profile so that
// its environment or integration key changes ends its session; the window
// shows the store's notice as the profile's notice, also after the keeper
// publishes the signed-out state. An edit that keeps the server says
// "saved".
func TestSavedProfileShowsSessionEnded(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(pd *profileDialog)
		notice string
	}{
		{"environment", func(pd *profileDialog) { pd.EnvRadio.SetSelected(choiceText(oauth.Production)) }, "session on this computer was ended"},
		{"integration key", func(pd *profileDialog) { pd.KeyEntry.SetText("1a2b3c4d-0000-1111-2222-333344445599") }, "session on this computer was ended"},
		{"scopes only", func(pd *profileDialog) { pd.ScopesEntry.SetText("signature impersonation") }, "Profile acme saved."},
	}
	for _, tc := range tests {
		h := newHarness(t, validStatus(oauth.Demo))
		m := h.m
		test.Tap(m.EditProfileButton)
		tc.edit(m.profileDialog)
		test.Tap(m.profileDialog.SaveButton)
		if m.profileDialog != nil {
			t.Fatalf("%s: the form stayed open: %q", tc.name, m.profileDialog.ErrorLabel.Text)
		}
		if !m.NoticeLabel.Visible() || !strings.Contains(m.NoticeLabel.Text, tc.notice) {
			t.Fatalf("%s: notice %q (shown %v), want %q", tc.name, m.NoticeLabel.Text, m.NoticeLabel.Visible(), tc.notice)
		}
		if tc.notice == "Profile acme saved." {
			continue
		}
		h.sess.push(keeper.Status{Profile: "acme", Environment: oauth.Production, State: keeper.SignedOut})
		if !m.NoticeLabel.Visible() || !strings.Contains(m.NoticeLabel.Text, tc.notice) {
			t.Errorf("%s: the keeper's signed-out state hid the notice (%q)", tc.name, m.NoticeLabel.Text)
		}
		h.sess.push(validStatus(oauth.Production)) // logged in again: the notice is old news
		if m.NoticeLabel.Visible() {
			t.Errorf("%s: the notice %q outlived the new login", tc.name, m.NoticeLabel.Text)
		}
	}
}

// TestAccessBarWarnsOnlyAtRisk: the access bar turns orange when the keeper
// says the token is at risk (refreshes failing, or its refresh overdue),
// not because the token is short-lived: the demo's 2-minute token on
// schedule is drawn in the normal colour.
func TestAccessBarWarnsOnlyAtRisk(t *testing.T) {
	short := func(st keeper.Status) keeper.Status {
		st.AccessIssuedAt, st.AccessExpiresAt = t0, t0.Add(2*time.Minute)
		st.NextAttempt, st.NextKind = t0.Add(90*time.Second), keeper.NextRefresh
		return st
	}
	retrying := short(validStatus(sandboxEnv))
	retrying.State, retrying.NextKind = keeper.Retrying, keeper.NextRetry
	tests := []struct {
		name    string
		st      keeper.Status
		advance time.Duration
		want    fyne.ThemeColorName
	}{
		{"2-minute token on schedule", short(validStatus(sandboxEnv)), 10 * time.Second, theme.ColorNamePrimary},
		{"8-hour token on schedule", validStatus(oauth.Demo), time.Hour, theme.ColorNamePrimary},
		{"refresh overdue", short(validStatus(sandboxEnv)), 100 * time.Second, theme.ColorNameWarning},
		{"retrying", retrying, 10 * time.Second, theme.ColorNameWarning},
	}
	for _, tc := range tests {
		h := newHarness(t, tc.st)
		h.clock.Advance(tc.advance)
		h.m.tick()
		if got := h.m.AccessBar.fill; got != tc.want {
			t.Errorf("%s: bar drawn in %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestFailedRefreshReasonOnce: a failed refresh's message is not repeated
// on the "last refresh" line when the reason line above says it already;
// a different message is kept.
func TestFailedRefreshReasonOnce(t *testing.T) {
	const why = "The account server had a problem (HTTP 503); this is usually temporary."
	tests := []struct {
		name, message string
		onLastLine    bool // the "last refresh" line quotes it
	}{
		{"same as the reason", why, false},
		{"same but for the full stop", strings.TrimSuffix(why, "."), false},
		{"another message", "The account server did not answer.", true},
	}
	for _, tc := range tests {
		st := validStatus(oauth.Demo)
		st.State, st.Reason = keeper.Retrying, why
		st.NextAttempt, st.NextKind = t0.Add(time.Minute), keeper.NextRetry
		st.LastRefresh = &keeper.Event{At: t0, Trigger: keeper.TriggerUser, Message: tc.message}
		h := newHarness(t, st)
		text := shown(h.m)
		if n := strings.Count(text, strings.TrimSuffix(tc.message, ".")); n != 1 {
			t.Errorf("%s: the message is shown %d times, want once:\n%s", tc.name, n, text)
		}
		last := h.m.LastRefreshLabel.Text
		assertContains(t, tc.name, last, "Last refresh attempt failed")
		if got := strings.Contains(last, tc.message); got != tc.onLastLine {
			t.Errorf("%s: last refresh line %q quotes the message: %v, want %v", tc.name, last, got, tc.onLastLine)
		}
	}
}

// TestOverviewRowHasNoBlankLine: a signed-out profile's overview row shows
// "Not signed in" without an empty second line under it; signing in brings
// the refresh token's line back.
func TestOverviewRowHasNoBlankLine(t *testing.T) {
	sts := twoStatuses()
	sts["demo"] = keeper.Status{State: keeper.SignedOut}
	h := newHarnessWith(t, twoProfiles(), sts)
	m := h.m
	out, in := m.overviewRows["demo"], m.overviewRows["acme"]
	if out.Death.Visible() {
		t.Errorf("signed-out row shows a second line %q", out.Death.Text)
	}
	if a, b := out.MinSize().Height, in.MinSize().Height; a >= b {
		t.Errorf("signed-out row is %v high, not shorter than a signed-in one (%v)", a, b)
	}
	st := validStatus(oauth.Demo)
	st.Profile = "demo"
	h.profiles.sessions["demo"].push(st)
	if !out.Death.Visible() || !strings.HasPrefix(out.Death.Text, "Refresh token: dies") {
		t.Errorf("after login the row's second line is %q (shown %v)", out.Death.Text, out.Death.Visible())
	}
}

// TestQuestionsFitTheirText: every question the window asks is as tall as
// its message at 1× and 2×, with no blank lines above its buttons.
func TestQuestionsFitTheirText(t *testing.T) {
	tests := []struct {
		name, title string
		ask         func(m *MainWindow)
	}{
		{"log out", "Log out of acme?", func(m *MainWindow) { test.Tap(m.LogoutButton) }},
		{"production copy", "Copy a PRODUCTION token?", func(m *MainWindow) { test.Tap(m.CopyButton) }},
		{"remove profile", "Remove profile acme?", func(m *MainWindow) { test.Tap(m.RemoveProfileButton) }},
	}
	for _, tc := range tests {
		for _, scale := range []float32{1, 2} {
			h := newHarness(t, validStatus(oauth.Production))
			m := h.m
			m.win.Resize(defaultWindowSize(scale))
			selectTab(t, m, "Session")
			tc.ask(m)
			if m.confirmDialog == nil {
				t.Fatalf("%s: no question asked", tc.name)
			}
			assertContains(t, tc.name, shown(m), tc.title)
			assertDialogFitsText(t, m, fmt.Sprintf("%s at %v", tc.name, defaultWindowSize(scale)))
		}
	}
}
