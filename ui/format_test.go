package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

func sampleActivity() []keeper.Activity {
	return []keeper.Activity{
		{Time: t0.Add(time.Hour), Action: "refresh", Trigger: "schedule", Outcome: "transient", Message: "DocuSign did not answer\n(timeout)", Duration: 30 * time.Second},
		{Time: t0, Action: "refresh", Trigger: "user", Outcome: "relogin_required", Code: "invalid_grant", Description: "refresh token expired", Duration: 850 * time.Millisecond},
		{Time: t0.Add(-time.Hour), Action: "login", Trigger: "user", Outcome: "ok", Duration: 12 * time.Second},
	}
}

func TestFormatActivity(t *testing.T) {
	got := FormatActivity(sampleActivity())
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 5 {
		t.Fatalf("lines = %d:\n%s", len(lines), got)
	}
	for i, want := range []string{
		"2026-03-02T10:00:00Z\trefresh\tschedule\ttransient\t-\t30.0s\tDocuSign did not answer (timeout)",
		"2026-03-02T09:00:00Z\trefresh\tuser\trelogin_required\tinvalid_grant\t850ms\t(refresh token expired)",
		"2026-03-02T08:00:00Z\tlogin\tuser\tok\t-\t12.0s\t-",
	} {
		if lines[i+2] != want {
			t.Errorf("line %d = %q, want %q", i, lines[i+2], want)
		}
	}
	if strings.Contains(got, secretToken) || strings.Contains(got, "REFRESH-SECRET") {
		t.Error("export holds a token")
	}
}

func TestActivityTabShowsLog(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	h.sess.acts = sampleActivity()
	st := validStatus(oauth.Demo)
	st.ActivityVersion = 1
	h.sess.push(st)
	m := h.m
	if m.ActivityList.Length() != 3 || m.ExportButton.Disabled() {
		t.Fatalf("list length %d, export disabled %v", m.ActivityList.Length(), m.ExportButton.Disabled())
	}
	selectTab(t, m, "Activity")
	s := shown(m)
	assertContains(t, "activity", s, "09:00:00 UTC  refresh  (user)  relogin_required  [invalid_grant]  850ms")
	h.clock.Advance(24 * time.Hour) // the entries are yesterday's now: they carry their date
	m.ActivityList.Refresh()
	assertContains(t, "activity", shown(m), "Mon 2 Mar 08:00:00 UTC  login  (user)  ok")
	assertNoTokenShown(t, m)
}
