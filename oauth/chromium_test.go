package oauth_test

import (
	"context"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/internal/testbrowser"
)

// TestLoginWithHeadlessChromium drives the consent flow with a real browser:
// Chromium opens the consent URL, follows the sandbox's redirect to the
// loopback server, and Token Desk exchanges the code.
func TestLoginWithHeadlessChromium(t *testing.T) {
	bin := testbrowser.FindChromium(t)
	f := newFixture(t, fixtureOpt{autoAccept: true})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var browser *testbrowser.Chromium
	var startErr error
	s, err := f.cl.Login(ctx, func(u string) {
		browser, startErr = testbrowser.StartChromium(ctx, bin, u)
	})
	if browser != nil {
		defer browser.Stop()
	}
	if startErr != nil {
		t.Fatal(startErr)
	}
	if err != nil {
		t.Fatalf("login through chromium: %v", err)
	}
	if s.RefreshToken == "" || !f.srv.RefreshTokenValid(s.RefreshToken) {
		t.Fatal("no usable refresh token after the browser login")
	}
	if st := f.srv.Stats(); st.Authorize != 1 || st.Exchanges != 1 {
		t.Fatalf("sandbox saw %+v", st)
	}
}
