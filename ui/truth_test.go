package ui

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// cardText is every label of the status card, hidden ones excluded.
func cardText(m *MainWindow) string {
	var out []string
	walk(m.statusCard, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			out = append(out, l.Text)
		}
	})
	return strings.Join(out, "\n")
}

// TestDeadSessionShowsNoRemainingLife: defect 8.3. A dead session says when
// it died and why, in the danger colour, with DocuSign's code once; it
// shows no time left, no death date ahead and no "Extended: yes".
func TestDeadSessionShowsNoRemainingLife(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	h.clock.Advance(2 * time.Hour)
	st := validStatus(oauth.Demo) // the keeper keeps the stored session
	st.State, st.Reason, st.ErrorCode = keeper.ReloginRequired, "DocuSign said invalid_grant: the refresh token was revoked.", "invalid_grant"
	st.DiedAt, st.NextAttempt, st.NextKind = t0.Add(2*time.Hour), time.Time{}, keeper.NextNone
	st.AccessExpiresAt = time.Time{}
	h.sess.push(st)
	tapDialogButton(t, h.m, "Later")
	card := cardText(h.m)
	for _, bad := range []string{" left", "Extended: yes", "lives", "dies ", "Next "} {
		if strings.Contains(card, bad) {
			t.Errorf("dead session card contains %q:\n%s", bad, card)
		}
	}
	for _, want := range []string{"The session ended 11:00 UTC", "Why: DocuSign said invalid_grant: the refresh token was revoked.",
		"Access token: none — the session has ended", "Refresh token: dead since 11:00 UTC"} {
		assertContains(t, "dead card", card, want)
	}
	if n := strings.Count(shown(h.m), "invalid_grant"); n != 1 {
		t.Errorf("the error code appears %d times in the window, want once", n)
	}
	if h.m.ReasonLabel.Importance != widget.DangerImportance {
		t.Errorf("reason drawn with importance %v", h.m.ReasonLabel.Importance)
	}
	if h.m.Timeline.Visible() || h.m.ExtendedLabel.Visible() || h.m.AccessBar.Value != 0 {
		t.Error("timeline, extended line or a filled access bar shown for a dead session")
	}
}

// TestReloginDialogReadsAsSentences: "…refreshed. the refresh token…" is
// gone: the keeper's reason starts a new sentence.
func TestReloginDialogReadsAsSentences(t *testing.T) {
	st := reloginStatus()
	st.Reason = "the refresh token was revoked"
	h := newHarness(t, st)
	assertContains(t, "dialog", shown(h.m), "has ended and cannot be refreshed. The refresh token was revoked.")
}

// TestNoticesBelongToTheProfileAndState: defect 8.3/8.11. A notice clears
// when another profile is shown or the state it spoke about changes, and
// survives the change its own action caused.
func TestNoticesBelongToTheProfileAndState(t *testing.T) {
	h := newHarnessWith(t, twoProfiles(), twoStatuses())
	m := h.m
	m.setNotice("Login cancelled.")
	test.Tap(m.overviewRows["demo"])
	if m.NoticeLabel.Visible() {
		t.Errorf("acme's notice %q still shown for demo", m.NoticeLabel.Text)
	}
	demo := h.profiles.sessions["demo"]
	m.setNotice("Refresh failed: offline")
	st := validStatus(oauth.Demo)
	st.Profile = "demo"
	st.State = keeper.Retrying
	demo.push(st)
	if m.NoticeLabel.Visible() {
		t.Errorf("notice %q kept after the state changed", m.NoticeLabel.Text)
	}
	out := keeper.Status{Profile: "demo", State: keeper.SignedOut}
	demo.push(out)
	m.setNotice("Signed in.")
	st.State = keeper.Valid
	demo.push(st) // the login's own change
	if !m.NoticeLabel.Visible() || m.NoticeLabel.Text != "Signed in." {
		t.Errorf("notice after the login's own change: %q", m.NoticeLabel.Text)
	}
}

// TestRetryingShowsNextAttempt: defect 8.4. While retrying, the card says
// when the next attempt runs, until it runs.
func TestRetryingShowsNextAttempt(t *testing.T) {
	st := validStatus(oauth.Demo)
	st.State, st.Reason = keeper.Retrying, "offline"
	st.NextAttempt, st.NextKind = t0.Add(30*time.Second), keeper.NextRetry
	h := newHarness(t, st)
	if got := h.m.NextAttemptLabel.Text; got != "Next retry: 09:00:30 UTC (in 30s)" || !h.m.NextAttemptLabel.Visible() {
		t.Errorf("next attempt = %q", got)
	}
	h.clock.Advance(31 * time.Second)
	h.m.tick()
	if got := h.m.NextAttemptLabel.Text; got != "Next retry: 09:00:30 UTC (due now)" || !h.m.NextAttemptLabel.Visible() {
		t.Errorf("next attempt once due = %q", got)
	}
	st.NextAttempt, st.NextKind = t0.Add(24*time.Hour), keeper.NextKeepAlive
	st.State = keeper.Valid
	h.sess.push(st)
	assertContains(t, "keep-alive", h.m.NextAttemptLabel.Text, "Next keep-alive refresh: Tue 3 Mar 09:00:00 UTC (in 23h 59m)")
}

// TestActivityFollowsActivityVersion: defect 8.5. A refresh that changes no
// state still shows its entry: the window re-reads the log when the
// keeper's ActivityVersion changes, off the main goroutine, and only then.
func TestActivityFollowsActivityVersion(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	var pending []func()
	reads := 0
	m.loadActivity = func(s Session, done func([]keeper.Activity)) {
		reads++
		acts := s.Activity()
		pending = append(pending, func() { done(acts) })
	}
	h.sess.acts = sampleActivity()[1:]
	st := validStatus(oauth.Demo)
	st.ActivityVersion = 1
	h.sess.push(st)
	if reads != 1 || m.ActivityList.Length() != 0 {
		t.Fatalf("reads %d, list %d before the read finished", reads, m.ActivityList.Length())
	}
	pending[0]()
	if m.ActivityList.Length() != 2 {
		t.Fatalf("list %d after the read", m.ActivityList.Length())
	}
	h.sess.push(st) // same version: no read
	if reads != 1 {
		t.Errorf("re-read the log without a new entry (%d reads)", reads)
	}
	h.sess.acts = sampleActivity()
	st.ActivityVersion = 2 // a refresh, state still Valid
	h.sess.push(st)
	pending[1]()
	if m.ActivityList.Length() != 3 || m.acts[0].Outcome != "transient" {
		t.Fatalf("newest entry not shown after a refresh without a state change: %d entries", m.ActivityList.Length())
	}
}

// TestAccessBarEmptyAtZero: defect 8.7. At 0 % nothing is filled, and the
// track stays outlined.
func TestAccessBarEmptyAtZero(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	bar := h.m.AccessBar
	bar.Resize(bar.MinSize().AddWidthHeight(200, 0))
	objs := test.WidgetRenderer(bar).Objects()
	if fill := objs[1]; !fill.Visible() || fill.Size().Width < bar.Size().Width*0.99 {
		t.Fatalf("full bar: fill %v visible %v of %v", fill.Size(), fill.Visible(), bar.Size())
	}
	h.clock.Advance(9 * time.Hour)
	h.m.tick()
	objs = test.WidgetRenderer(bar).Objects()
	if bar.Value != 0 || objs[1].Visible() {
		t.Fatalf("expired token: value %v, fill visible %v", bar.Value, objs[1].Visible())
	}
	if track := objs[0].(interface{ Visible() bool }); !track.Visible() {
		t.Error("the empty bar's track is not drawn")
	}
}

// TestTimelineMarksTheLife: issued at the left, death at the right, the
// warning stretch and the next keep-alive where the keeper put them.
func TestTimelineMarksTheLife(t *testing.T) {
	st := validStatus(oauth.Demo)
	st.NextAttempt, st.NextKind = t0.Add(3*24*time.Hour), keeper.NextKeepAlive
	h := newHarness(t, st)
	h.clock.Advance(15 * 24 * time.Hour)
	h.m.tick()
	tl := h.m.Timeline
	for _, c := range []struct {
		what string
		at   time.Time
		want float64
	}{{"now", tl.now, 0.5}, {"warning", tl.warn, 0.9}, {"next keep-alive", tl.next, 0.1}, {"death", tl.death, 1}} {
		if got := tl.frac(c.at); got < c.want-0.001 || got > c.want+0.001 {
			t.Errorf("%s at %.3f of the life, want %.3f", c.what, got, c.want)
		}
	}
	st.State, st.NextKind = keeper.Retrying, keeper.NextRetry
	h.sess.push(st)
	if !tl.next.IsZero() {
		t.Error("a retry is marked as the next keep-alive")
	}
}

// TestPrimaryActionIsHighlighted: defect 8.7. Log in is the highlighted
// action when there is no usable session (or it ends soon), Copy when
// there is; no masked dots stand for a token that does not exist.
func TestPrimaryActionIsHighlighted(t *testing.T) {
	expiring := validStatus(oauth.Demo)
	expiring.ExpiringSoon = true
	for _, tc := range []struct {
		name        string
		st          keeper.Status
		copy, login widget.Importance
		token       string
	}{
		{"valid", validStatus(oauth.Demo), widget.HighImportance, widget.MediumImportance, maskedToken},
		{"signed out", keeper.Status{State: keeper.SignedOut}, widget.MediumImportance, widget.HighImportance, "(no access token)"},
		{"dead", reloginStatus(), widget.MediumImportance, widget.HighImportance, "(no access token)"},
		{"ends soon", expiring, widget.MediumImportance, widget.HighImportance, maskedToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.st)
			m := h.m
			if m.CopyButton.Importance != tc.copy || m.LoginButton.Importance != tc.login {
				t.Errorf("copy %v, log in %v; want %v, %v", m.CopyButton.Importance, m.LoginButton.Importance, tc.copy, tc.login)
			}
			if m.TokenLabel.Text != tc.token {
				t.Errorf("token box %q, want %q", m.TokenLabel.Text, tc.token)
			}
		})
	}
}

// TestAccountCopyFeedbackOnItsRow: defect 8.11. Copying an account_id on
// the Scopes tab says so on that row, not on the Session tab.
func TestAccountCopyFeedbackOnItsRow(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	selectTab(t, h.m, "Scopes & accounts")
	test.Tap(findButtons(h.m.AccountsBox)[0])
	if h.m.NoticeLabel.Visible() {
		t.Errorf("feedback went to the Session tab: %q", h.m.NoticeLabel.Text)
	}
	assertContains(t, "scopes tab", shown(h.m), "Copied")
}

// TestMovesAPixel: the bar and the timeline repaint only for a change a
// person can see (bench/README.md: every repaint costs idle CPU).
func TestMovesAPixel(t *testing.T) {
	for _, tc := range []struct {
		from, to float64
		width    float32
		want     bool
	}{
		{1, 0.999, 600, false},   // 0.6 px
		{1, 0.998, 600, true},    // 1.2 px
		{0.5, 0.5005, 0, false},  // not laid out: 0.05 %
		{0.5, 0.502, 0, true},    // not laid out: 0.2 %
		{0.2, 0.1, 600, true},    // moving back
		{0.3, 0.3, 10000, false}, // no change
	} {
		if got := movesAPixel(tc.from, tc.to, tc.width); got != tc.want {
			t.Errorf("movesAPixel(%v, %v, %v) = %v, want %v", tc.from, tc.to, tc.width, got, tc.want)
		}
	}
}

var markupColor = regexp.MustCompile(`<text[^>]*?(?: color="([a-zA-Z]+)")?[^>]*>([^<]*)</text>`)

// renderedColor is the theme colour name the window draws the text that
// starts with prefix in ("" for the default foreground).
func renderedColor(t *testing.T, m *MainWindow, prefix string) string {
	t.Helper()
	for _, sm := range markupColor.FindAllStringSubmatch(test.RenderToMarkup(m.win.Canvas()), -1) {
		if strings.HasPrefix(html.UnescapeString(sm[2]), prefix) {
			return sm[1]
		}
	}
	t.Fatalf("no text starting %q is drawn", prefix)
	return ""
}

// TestReasonDrawnInItsStateColour: defect 8.3. The reason line changes
// colour with the state it explains, never keeping the previous state's.
func TestReasonDrawnInItsStateColour(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	for _, tc := range []struct {
		state keeper.State
		want  string
	}{{keeper.Retrying, "warning"}, {keeper.ReloginRequired, "error"}, {keeper.Retrying, "warning"}} {
		st := validStatus(oauth.Demo)
		st.State, st.Reason = tc.state, "offline"
		h.sess.push(st)
		if d := topDialog(h.m); d != nil {
			tapDialogButton(t, h.m, "Later")
		}
		if got := renderedColor(t, h.m, "Why"); got != tc.want {
			t.Errorf("%s: reason drawn in %q, want %q", tc.state, got, tc.want)
		}
	}
}
