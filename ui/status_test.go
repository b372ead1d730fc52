package ui

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

func assertContains(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s = %q, want it to contain %q", what, got, want)
	}
}

var markupText = regexp.MustCompile(`<text[^>]*>([^<]*)</text>`)

// shownLines is every line of text the window currently renders, dialogs
// included.
func shownLines(m *MainWindow) []string {
	var out []string
	for _, sm := range markupText.FindAllStringSubmatch(test.RenderToMarkup(m.win.Canvas()), -1) {
		out = append(out, html.UnescapeString(sm[1]))
	}
	return out
}

// shown is the window's rendered text with wrapped lines joined by spaces.
func shown(m *MainWindow) string { return strings.Join(shownLines(m), " ") }

// assertNoTokenShown fails if a token is rendered anywhere, even split
// across wrapped lines, or held by any label other than a revealed token.
func assertNoTokenShown(t *testing.T, m *MainWindow) {
	t.Helper()
	tight := strings.Join(shownLines(m), "")
	for _, tok := range []string{secretToken, "REFRESH-SECRET"} {
		if strings.Contains(tight, tok) {
			t.Fatalf("token %q is rendered", tok)
		}
	}
	walk(m.win.Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, secretToken) {
			t.Fatalf("label holds the token: %q", l.Text)
		}
	})
}

func TestStatusCardStates(t *testing.T) {
	base := validStatus(oauth.Demo)
	for _, tc := range []struct {
		name       string
		mutate     func(*keeper.Status)
		title      string
		importance widget.Importance
		color      fyne.ThemeColorName
		reason     string
	}{
		{"valid", func(*keeper.Status) {}, "Session valid", widget.SuccessImportance, theme.ColorNameSuccess, ""},
		{"refreshing", func(s *keeper.Status) { s.State = keeper.Refreshing }, "Refreshing…", widget.HighImportance, theme.ColorNamePrimary, ""},
		{"retrying", func(s *keeper.Status) {
			s.State, s.Reason = keeper.Retrying, "DocuSign did not answer (timeout)"
		}, "Retrying refresh", widget.WarningImportance, theme.ColorNameWarning, "Why it's retrying: DocuSign did not answer (timeout)."},
		{"relogin", func(s *keeper.Status) {
			s.State, s.Reason, s.ErrorCode = keeper.ReloginRequired, "The refresh token was revoked.", "invalid_grant"
		}, "Re-login required", widget.DangerImportance, theme.ColorNameError, "Why: The refresh token was revoked (DocuSign error invalid_grant)."},
		{"relogin, code in the reason", func(s *keeper.Status) {
			s.State, s.Reason, s.ErrorCode = keeper.ReloginRequired, "DocuSign said invalid_grant: the refresh token was revoked.", "invalid_grant"
		}, "Re-login required", widget.DangerImportance, theme.ColorNameError, "Why: DocuSign said invalid_grant: the refresh token was revoked."},
		{"signed out", func(s *keeper.Status) { *s = keeper.Status{State: keeper.SignedOut} }, "Signed out", widget.MediumImportance, theme.ColorNameDisabled, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := base
			st.Session = validSession()
			tc.mutate(&st)
			h := newHarness(t, st)
			m := h.m
			if m.StateLabel.Text != tc.title || m.StateLabel.Importance != tc.importance {
				t.Errorf("state = %q/%v, want %q/%v", m.StateLabel.Text, m.StateLabel.Importance, tc.title, tc.importance)
			}
			if m.stateStripe.colorName != tc.color {
				t.Errorf("stripe colour = %s, want %s", m.stateStripe.colorName, tc.color)
			}
			if tc.reason != "" {
				if !m.ReasonLabel.Visible() || m.ReasonLabel.Text != tc.reason {
					t.Errorf("reason = %q (visible %v), want %q", m.ReasonLabel.Text, m.ReasonLabel.Visible(), tc.reason)
				}
			} else if m.ReasonLabel.Visible() {
				t.Errorf("reason shown: %q", m.ReasonLabel.Text)
			}
			if st.Session == nil {
				if m.AccessLabel.Text != "Access token: none" || m.UserLabel.Text != "not signed in" {
					t.Errorf("signed out shows %q / %q", m.AccessLabel.Text, m.UserLabel.Text)
				}
				if !m.CopyButton.Disabled() || !m.RefreshButton.Disabled() || !m.LogoutButton.Disabled() {
					t.Error("token actions enabled while signed out")
				}
			}
			if st.State == keeper.ReloginRequired && !m.CopyButton.Disabled() {
				t.Error("copy enabled while re-login is required")
			}
			assertContains(t, "window", shown(m), tc.title)
		})
	}
}

func TestStatusCardValidDetails(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	for _, c := range []struct{ what, got, want string }{
		{"access", m.AccessLabel.Text, "Access token: 8h 0m left (expires 17:00:00 UTC)"},
		{"refresh", m.RefreshLabel.Text, "Refresh token: issued 09:00 UTC (under a minute ago); dies Wed 1 Apr 09:00 UTC (30d 0h left)"},
		{"source", m.SourceLabel.Text, "Death date: estimated from when the session started or last rotated, plus the profile's refresh-token lifetime; DocuSign does not report it."},
		{"extended", m.ExtendedLabel.Text, "Extended: yes — every refresh gives the refresh token a fresh lifetime, so the session lives on while Token Desk keeps refreshing (extended was granted at consent)."},
		{"user", m.UserLabel.Text, "Ada Admin <ada@example.com>"},
		{"next attempt", m.NextAttemptLabel.Text, "Next automatic refresh: 16:00:00 UTC (in 7h 0m)"},
		{"last refresh", m.LastRefreshLabel.Text, "Last refreshed: not since the last login."},
		{"timeline", m.TimelineLegend.Text, "Timeline: issued 09:00 UTC · warning (orange) from Sun 29 Mar 09:00 UTC · dies (red) Wed 1 Apr 09:00 UTC · next refresh (dot) 16:00 UTC"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if m.AccessBar.Value != 1 {
		t.Errorf("bar = %v, want 1", m.AccessBar.Value)
	}
	if m.envBadge.text.Text != "DEMO" || m.envBadge.bg.FillColor != demoColor {
		t.Errorf("badge = %q %v", m.envBadge.text.Text, m.envBadge.bg.FillColor)
	}
	if m.StorageErrorLabel.Visible() {
		t.Error("storage error shown without one")
	}
}

// TestLastRefreshedLine: the "last refreshed" line says when, why and how
// the last refresh went, in the keeper's words.
func TestLastRefreshedLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   *keeper.Event
		want string
	}{
		{"ok", &keeper.Event{At: t0.Add(-2 * time.Hour), Trigger: keeper.TriggerKeepAlive, OK: true},
			"Last refreshed: 07:00 UTC (2h 0m ago, keep-alive)."},
		{"failed", &keeper.Event{At: t0.Add(-time.Minute), Trigger: keeper.TriggerRetry, Message: "DocuSign did not answer (timeout)"},
			"Last refresh attempt failed 08:59 UTC (1m ago, a retry): DocuSign did not answer (timeout)."},
		{"no trigger recorded", &keeper.Event{At: t0.Add(-5 * time.Minute), OK: true},
			"Last refreshed: 08:55 UTC (5m ago)."},
		{"yesterday", &keeper.Event{At: t0.Add(-20 * time.Hour), Trigger: keeper.TriggerSchedule, OK: true},
			"Last refreshed: Sun 1 Mar 13:00 UTC (20h 0m ago, on schedule)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := validStatus(oauth.Demo)
			st.LastRefresh = tc.ev
			h := newHarness(t, st)
			if got := h.m.LastRefreshLabel.Text; got != tc.want || !h.m.LastRefreshLabel.Visible() {
				t.Errorf("last refresh = %q (visible %v), want %q", got, h.m.LastRefreshLabel.Visible(), tc.want)
			}
		})
	}
}

func TestStatusCardSourcesAndExtended(t *testing.T) {
	st := validStatus(oauth.Demo)
	st.RefreshExpirySource = oauth.SourceToken
	st.ExtendedEvidence = "token"
	h := newHarness(t, st)
	assertContains(t, "source", h.m.SourceLabel.Text, "read from the refresh token itself")
	assertContains(t, "extended", h.m.ExtendedLabel.Text, "(a rotated refresh token came with a fresh lifetime)")

	st = validStatus(oauth.Demo)
	st.Extended, st.ExtendedEvidence = false, ""
	st.RefreshExpiresAt = t0.Add(28 * 24 * time.Hour)
	st.StorageError = "keyring locked"
	h.sess.push(st)
	m := h.m
	assertContains(t, "extended", m.ExtendedLabel.Text, "Extended: no — the session ends Mon 30 Mar 09:00 UTC however often it refreshes")
	if m.ExtendedLabel.Importance != widget.WarningImportance {
		t.Error("non-extended session not shown as a warning")
	}
	if !m.StorageErrorLabel.Visible() || m.StorageErrorLabel.Importance != widget.DangerImportance {
		t.Fatal("storage error not shown loudly")
	}
	assertContains(t, "storage error", m.StorageErrorLabel.Text, "Keyring locked.")
	assertContains(t, "window", shown(m), "Storage problem: Keyring locked.")
}

func TestEnvironmentBadge(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Production))
	if got := h.m.envBadge.text.Text; got != "PRODUCTION" || h.m.envBadge.bg.FillColor != productionColor {
		t.Errorf("production badge = %q %v", got, h.m.envBadge.bg.FillColor)
	}
	h.sess.push(validStatus("http://127.0.0.1:9999"))
	if got := h.m.envBadge.text.Text; got != "127.0.0.1:9999" || h.m.envBadge.bg.FillColor != customColor {
		t.Errorf("custom badge = %q %v", got, h.m.envBadge.bg.FillColor)
	}
}

func TestCountdownTicksWithFakeClock(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	h.clock.Advance(48 * time.Second)
	m.tick()
	if got, want := m.AccessLabel.Text, "Access token: 7h 59m left (expires 17:00:00 UTC)"; got != want {
		t.Errorf("after 48s: %q, want %q", got, want)
	}
	h.clock.Advance(4 * time.Hour)
	m.tick()
	assertContains(t, "access", m.AccessLabel.Text, "3h 59m left")
	if v := m.AccessBar.Value; v < 0.49 || v > 0.51 {
		t.Errorf("bar after half the lifetime = %v", v)
	}
	assertContains(t, "refresh", m.RefreshLabel.Text, "(4h 0m ago)")
	// The last ten minutes count down in seconds.
	h.clock.Advance(3*time.Hour + 49*time.Minute + 30*time.Second)
	m.tick()
	assertContains(t, "access", m.AccessLabel.Text, "9m 42s left")
	h.clock.Advance(time.Second)
	m.tick()
	assertContains(t, "access", m.AccessLabel.Text, "9m 41s left")
	h.clock.Advance(time.Hour + 10*time.Minute)
	m.tick()
	if got := m.AccessLabel.Text; got != "Access token: expired 1h 0m ago" {
		t.Errorf("after expiry: %q", got)
	}
	if m.AccessBar.Value != 0 {
		t.Errorf("bar after expiry = %v", m.AccessBar.Value)
	}
}

// TestIdleTickRepaintsNothing: a tick that changes no visible text leaves
// the widgets alone (each SetText repaints the whole window, bench F1).
func TestIdleTickRepaintsNothing(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	h.clock.Advance(30 * time.Second) // 7h 59m 30s left
	m.tick()
	before := m.AccessBar.Value
	label := m.AccessLabel
	repaints := 0
	old := label.Text
	h.clock.Advance(10 * time.Second) // still "7h 59m"; the bar moves by less than a pixel
	m.tick()
	if label.Text != old {
		repaints++
	}
	if m.AccessBar.Value != before {
		repaints++
	}
	if repaints != 0 {
		t.Fatalf("an idle tick changed %d widgets (%q → %q, bar %v → %v)", repaints, old, label.Text, before, m.AccessBar.Value)
	}
}

func TestStatusPushUpdatesWindow(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	st := validStatus(oauth.Demo)
	st.State, st.Reason, st.NextAttempt = keeper.Retrying, "offline", t0.Add(90*time.Second)
	h.sess.push(st)
	if h.m.StateLabel.Text != "Retrying refresh" {
		t.Fatalf("state after push = %q", h.m.StateLabel.Text)
	}
	assertContains(t, "next attempt", h.m.NextAttemptLabel.Text, "(in 1m 30s)")
}

func TestScopesAndAccounts(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	if len(m.ScopesBox.Objects) != 2 {
		t.Errorf("scope chips = %d, want 2", len(m.ScopesBox.Objects))
	}
	if !m.ScopesNote.Visible() {
		t.Fatal("dropped-scope note hidden")
	}
	assertContains(t, "note", m.ScopesNote.Text, `reports only "signature"; the grant still carries extended`)
	if len(findButtons(m.AccountsBox)) != 0 {
		t.Fatal("account rows were built before their tab was opened")
	}
	selectTab(t, m, "Scopes & accounts")
	details := strings.Join(labelTexts(m.AccountsBox), "\n")
	for _, want := range []string{"Acme Corp  (default)", "account_id: acc-1111", "base_uri: https://demo.docusign.net", "Acme Labs", "account_id: acc-2222"} {
		assertContains(t, "accounts", details, want)
	}
	test.Tap(findButtons(m.AccountsBox)[0])
	if got := h.app.Clipboard().Content(); got != "acc-1111" {
		t.Errorf("copied account id = %q", got)
	}
	st := validStatus(oauth.Demo)
	st.Session.ReportedScopes = []string{"signature", "extended"}
	h.sess.push(st)
	if m.ScopesNote.Visible() {
		t.Error("note shown although no scope was dropped")
	}
}

func TestNoTokenOnScreenUnlessRevealed(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	assertNoTokenShown(t, m)
	for _, name := range []string{"Scopes & accounts", "Activity"} {
		selectTab(t, m, name)
		assertNoTokenShown(t, m)
	}
	selectTab(t, m, "Session")
	test.Tap(m.RevealCheck)
	if m.TokenLabel.Text != secretToken {
		t.Fatalf("revealed token label = %q", m.TokenLabel.Text)
	}
	test.Tap(m.RevealCheck)
	if m.TokenLabel.Text != maskedToken {
		t.Fatal("token still shown after hiding")
	}
	assertNoTokenShown(t, m)
	// A new token replaces the revealed one with Reveal still on (defect
	// 8.10): TestShortLivedTokensAreUsable in copy_test.go.
}

// labelTexts returns the texts of all labels under o, hidden or not.
func labelTexts(o fyne.CanvasObject) (out []string) {
	switch v := o.(type) {
	case *widget.Label:
		out = append(out, v.Text)
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, labelTexts(c)...)
		}
	case *widget.Card:
		out = append(out, labelTexts(v.Content)...)
	}
	return out
}

// findButtons returns the buttons under o in order.
func findButtons(o fyne.CanvasObject) (out []*widget.Button) {
	switch v := o.(type) {
	case *widget.Button:
		out = append(out, v)
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, findButtons(c)...)
		}
	}
	return out
}

// selectTab shows the named tab of the main window.
func selectTab(t *testing.T, m *MainWindow, name string) {
	t.Helper()
	tabs := m.mainPane.(*container.AppTabs)
	for _, it := range tabs.Items {
		if it.Text == name {
			tabs.Select(it)
			return
		}
	}
	t.Fatalf("no tab %q", name)
}

// TestUnreadableSessionIsNotSignedOut: when the keyring cannot be read the
// window must not claim the session is gone; it says what is wrong and
// offers to try again, which works once the keyring is back.
func TestUnreadableSessionIsNotSignedOut(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Production))
	locked := "read the refresh token of \"acme\": the login keyring is locked; unlock the login keyring, then try again"
	h.profiles.mu.Lock()
	sess := h.profiles.sessions["acme"]
	delete(h.profiles.sessions, "acme")
	h.profiles.mu.Unlock()
	h.profiles.failWith = locked
	h.m.retryOpen()

	if got := h.m.StateLabel.Text; got != "Session unavailable" {
		t.Fatalf("state %q", got)
	}
	assertContains(t, "reason", h.m.ReasonLabel.Text, "unlock the login keyring")
	assertContains(t, "detail", h.m.DetailLabel.Text, "Nothing was changed or deleted")
	if strings.Contains(shown(h.m), "Signed out") {
		t.Error("an unreadable session is shown as signed out")
	}
	if h.m.RefreshButton.Text != "Try again" || h.m.RefreshButton.Disabled() || !h.m.CopyButton.Disabled() {
		t.Fatalf("actions: refresh %q disabled=%v, copy disabled=%v", h.m.RefreshButton.Text, h.m.RefreshButton.Disabled(), h.m.CopyButton.Disabled())
	}
	if title := h.m.win.Title(); title != "Token Desk — acme: Session unavailable" {
		t.Errorf("title %q", title)
	}

	h.profiles.mu.Lock()
	h.profiles.sessions["acme"] = sess
	h.profiles.mu.Unlock()
	h.profiles.failWith = ""
	test.Tap(h.m.RefreshButton)
	if got := h.m.StateLabel.Text; got != "Session valid" || h.m.RefreshButton.Text != "Refresh now" {
		t.Fatalf("after the keyring came back: %q / %q", got, h.m.RefreshButton.Text)
	}
}

// TestAccountsRebuiltOnlyWhenChanged: a refresh pushes a new status; the
// accounts list (icon buttons, costly to create) stays as it is unless the
// accounts themselves changed.
func TestAccountsRebuiltOnlyWhenChanged(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	selectTab(t, h.m, "Scopes & accounts")
	first := findButtons(h.m.AccountsBox)
	st := validStatus(oauth.Demo)
	st.Session.Refreshes++
	h.sess.push(st)
	again := findButtons(h.m.AccountsBox)
	if len(first) == 0 || len(again) != len(first) || again[0] != first[0] {
		t.Fatal("the accounts list was rebuilt for an unchanged set of accounts")
	}
	st = validStatus(oauth.Demo)
	st.Session.User.Accounts = st.Session.User.Accounts[:1]
	h.sess.push(st)
	if got := len(findButtons(h.m.AccountsBox)); got != 2 {
		t.Fatalf("after the accounts changed: %d copy buttons, want 2", got)
	}
}

// TestStatusPushReadsNoProfiles: a status push (every refresh) redraws from
// what the window holds; it does not re-read the profiles (a config load).
func TestStatusPushReadsNoProfiles(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	h.profiles.mu.Lock()
	before := h.profiles.lists
	h.profiles.mu.Unlock()
	for range 5 {
		st := validStatus(oauth.Demo)
		st.Session.Refreshes++
		h.sess.push(st)
		h.m.tick()
	}
	h.profiles.mu.Lock()
	defer h.profiles.mu.Unlock()
	if h.profiles.lists != before {
		t.Fatalf("5 status pushes read the profiles %d times", h.profiles.lists-before)
	}
}
