package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// TestSessionTabGolden renders the Session tab (status card, actions and
// token box) in the test theme for a retrying production session.
func TestSessionTabGolden(t *testing.T) {
	st := validStatus(oauth.Production)
	st.State, st.Reason, st.NextAttempt = keeper.Retrying, "DocuSign did not answer (timeout).", t0.Add(3*time.Hour)
	h := newHarness(t, st)
	h.clock.Advance(2*time.Hour + 48*time.Second)
	h.m.tick()
	test.AssertRendersToImage(t, "session_retrying.png", h.m.win.Canvas())
}
