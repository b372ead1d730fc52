package keeper_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

// TestShortLifetimeDoesNotRotateEveryCall: 20 `token --min-valid 5m` calls
// on a 30 s access token refresh once, not 20 times, and each says that the
// asked validity cannot be met.
func TestShortLifetimeDoesNotRotateEveryCall(t *testing.T) {
	e := newEnv(t, envOpt{accessTTL: 30 * time.Second})
	k := e.keeper(t)
	e.login(t, k)
	for i := range 20 {
		tok, err := k.Token(context.Background(), 5*time.Minute)
		var sv *keeper.ShortValidityError
		if tok == "" || !errors.As(err, &sv) || sv.Asked != 5*time.Minute || sv.Got <= 0 || sv.Got > 30*time.Second {
			t.Fatalf("call %d: %q, %v", i, tok, err)
		}
		e.srv.Advance(time.Second)
	}
	if n := e.srv.Stats().Refreshes; n != 1 {
		t.Fatalf("%d refreshes for 20 calls over 20 s", n)
	}
	st := k.Status()
	if st.NextAttempt.Before(st.AccessIssuedAt) || st.NextAttempt.Before(st.Session.ConsentedAt) || st.NextKind != keeper.NextRefresh {
		t.Fatalf("next attempt %s (%s) for a token issued at %s", st.NextAttempt, st.NextKind, st.AccessIssuedAt)
	}
	if tok, err := k.Token(context.Background(), 10*time.Second); err != nil || tok == "" {
		t.Fatalf("a validity the lifetime allows: %v", err)
	}
}

// TestRetryingIsNeverDroppedSilently: a failed keep-alive stays Retrying,
// with its next attempt, until an attempt happens, and the attempt is made
// and recorded although the access token is still valid.
func TestRetryingIsNeverDroppedSilently(t *testing.T) {
	e := newEnv(t, envOpt{accessTTL: 72 * time.Hour})
	k := e.keeper(t)
	e.login(t, k)
	e.srv.Advance(25 * time.Hour)
	e.srv.InjectFault(sandbox.ServerErrorFault(503), 1)
	k.Check(context.Background())
	st := k.Status()
	if st.State != keeper.Retrying || st.NextKind != keeper.NextRetry || st.NextAttempt.IsZero() || st.LastRefresh == nil || st.LastRefresh.OK {
		t.Fatalf("after the failure: %+v", st)
	}
	for range 3 { // checks before the retry is due change nothing
		k.Check(context.Background())
		if _, err := k.Token(context.Background(), time.Minute); err != nil {
			t.Fatal(err)
		}
		if got := k.Status(); got.State != keeper.Retrying || !got.NextAttempt.Equal(st.NextAttempt) {
			t.Fatalf("before the retry: %s next %s", got.State, got.NextAttempt)
		}
	}
	e.srv.Advance(st.NextAttempt.Sub(e.srv.Now()) + time.Millisecond)
	k.Check(context.Background())
	st = k.Status()
	if e.srv.Stats().Refreshes != 1 || st.State != keeper.Valid || st.LastRefresh == nil || !st.LastRefresh.OK || st.LastRefresh.Trigger != keeper.TriggerRetry {
		t.Fatalf("the retry was not made: %d refreshes, %+v", e.srv.Stats().Refreshes, st.LastRefresh)
	}
	if a := waitActivity(t, k, 1); a[0].Action != "refresh" || a[0].Trigger != string(keeper.TriggerRetry) {
		t.Fatalf("the retry was not recorded: %+v", a[0])
	}
}

// TestActivityPublishedWithItsEntry: a subscriber is told about every new
// entry, also when the state does not change, and Activity then has it.
func TestActivityPublishedWithItsEntry(t *testing.T) {
	e := newEnv(t, envOpt{})
	k := e.keeper(t)
	var mu sync.Mutex
	var newest []string
	cancel := k.Subscribe(func(st keeper.Status) {
		a := k.Activity()
		mu.Lock()
		defer mu.Unlock()
		if len(a) > 0 {
			newest = append(newest, a[0].Action+"/"+a[0].Outcome)
		}
	})
	defer cancel()
	ctx, stop := context.WithCancel(context.Background())
	stop()
	if err := k.Login(ctx, func(string) {}); err == nil {
		t.Fatal("a cancelled login succeeded")
	}
	if st := k.Status(); st.State != keeper.SignedOut || st.ActivityVersion == 0 {
		t.Fatalf("status %s, activity version %d", st.State, st.ActivityVersion)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(newest) == 0 || !strings.HasPrefix(newest[len(newest)-1], "login/") {
		t.Fatalf("the subscriber did not see the failed login: %v", newest)
	}
}

// TestFailureSeenByOtherProcesses: a failed refresh is persisted, so a new
// process's status says retrying with the failure; a success clears it.
func TestFailureSeenByOtherProcesses(t *testing.T) {
	e := newEnv(t, envOpt{})
	a := e.keeper(t)
	e.login(t, a)
	e.srv.Advance(8*time.Hour + time.Second)
	e.srv.InjectFault(sandbox.ServerErrorFault(503), 1)
	if _, err := a.Token(context.Background(), time.Minute); err == nil {
		t.Fatal("the refresh did not fail")
	}
	st := e.keeper(t).Status()
	if st.State != keeper.Retrying || st.LastError == nil || st.LastError.Kind != "transient" || st.LastError.Status != 503 ||
		st.NextAttempt.IsZero() || st.NextKind != keeper.NextRetry || st.Reason == "" || st.LastRefresh == nil || st.LastRefresh.OK {
		t.Fatalf("another process's status: %+v", st)
	}
	if err := e.keeper(t).Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := e.keeper(t).Status(); st.State != keeper.Valid || st.LastError != nil {
		t.Fatalf("after a success: %s, %+v", st.State, st.LastError)
	}
}

// TestRetryAfterAcrossProcesses: three processes asking for a token after a
// 503 with Retry-After: 3600 send one request, not three.
func TestRetryAfterAcrossProcesses(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.login(t, e.keeper(t))
	e.srv.Advance(9 * time.Hour)
	f := sandbox.ServerErrorFault(503)
	f.RetryAfter = "3600"
	e.srv.InjectFault(f, 1) // a second request would succeed: the test sees it
	for i := range 3 {
		_, err := e.keeper(t).Token(context.Background(), time.Minute)
		if err == nil {
			t.Fatalf("process %d got a token", i)
		}
		if i > 0 && !strings.Contains(err.Error(), "no new request before") {
			t.Fatalf("process %d: %v", i, err)
		}
	}
	if n := e.srv.Stats().Faults; n != 1 {
		t.Fatalf("%d requests despite Retry-After", n)
	}
	st := e.keeper(t).Status()
	if st.LastError == nil || st.LastError.RetryAfter.IsZero() || st.NextAttempt.Before(st.LastError.RetryAfter) {
		t.Fatalf("status: %+v", st)
	}
	e.srv.Advance(time.Hour + time.Second)
	if _, err := e.keeper(t).Token(context.Background(), time.Minute); err != nil {
		t.Fatalf("after the Retry-After: %v", err)
	}
}

// TestStatusCarriesTheWholePicture: the fields a window draws, for a valid
// session and for a dead one.
func TestStatusCarriesTheWholePicture(t *testing.T) {
	e := newEnv(t, envOpt{mutate: func(o *keeper.Options) { o.WarnHorizon = 72 * time.Hour }})
	k := e.keeper(t)
	e.login(t, k)
	if err := k.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := k.Status()
	switch {
	case st.LastRefresh == nil || !st.LastRefresh.OK || st.LastRefresh.Trigger != keeper.TriggerUser:
		t.Fatalf("last refresh %+v", st.LastRefresh)
	case st.AccessIssuedAt.IsZero() || !st.AccessExpiresAt.After(st.AccessIssuedAt):
		t.Fatalf("access token %s → %s", st.AccessIssuedAt, st.AccessExpiresAt)
	case !st.RefreshIssuedAt.Equal(st.Session.RefreshIssuedAt) || !st.WarnFrom.Equal(st.RefreshExpiresAt.Add(-72*time.Hour)):
		t.Fatalf("refresh token issued %s, warn from %s, dies %s", st.RefreshIssuedAt, st.WarnFrom, st.RefreshExpiresAt)
	case !st.Extended || st.ExtendedEvidence == "" || st.NextKind != keeper.NextRefresh || st.ActivityVersion == 0:
		t.Fatalf("extended %v (%q), next %q, activity version %d", st.Extended, st.ExtendedEvidence, st.NextKind, st.ActivityVersion)
	case !st.DiedAt.IsZero() || st.LastError != nil:
		t.Fatalf("a live session with died-at %s / error %+v", st.DiedAt, st.LastError)
	}
	e.srv.RevokeConsent()
	e.srv.Advance(9 * time.Hour)
	_, _ = k.Token(context.Background(), time.Minute)
	for _, st := range []keeper.Status{k.Status(), e.keeper(t).Status()} {
		switch {
		case st.State != keeper.ReloginRequired || st.DiedAt.IsZero():
			t.Fatalf("dead session: %s, died at %s", st.State, st.DiedAt)
		case !st.AccessExpiresAt.IsZero() || !st.Session.AccessExpiresAt.IsZero() || !st.NextAttempt.IsZero() || st.NextKind != keeper.NextNone:
			t.Fatalf("a dead session shows remaining life or a next attempt: %+v", st)
		case strings.Count(st.Reason, "invalid_grant") != 1 || st.ErrorCode != "invalid_grant":
			t.Fatalf("reason %q, code %q", st.Reason, st.ErrorCode)
		}
	}
}

// TestUnusableAnswerKeepsRotatedToken: a 200 refresh answer with a new
// refresh token but no usable access token still has its refresh token
// saved (the server may have rotated), and the failure is retried.
func TestUnusableAnswerKeepsRotatedToken(t *testing.T) {
	e := newEnv(t, envOpt{})
	k := e.keeper(t)
	e.login(t, k)
	e.srv.Advance(9 * time.Hour)
	const rt = "RT-NEW-0123456789"
	e.srv.InjectFault(sandbox.Fault{Path: "/oauth/token", Status: 200, ContentType: "application/json",
		Body: `{"refresh_token":"` + rt + `","expires_in":28800}`}, 1)
	if tok, err := k.Token(context.Background(), time.Minute); err == nil || tok != "" {
		t.Fatalf("an unusable answer gave %q, %v", tok, err)
	}
	if got := e.storedRT(t); got != rt {
		t.Fatal("the rotated refresh token of the unusable answer was not saved")
	}
	for _, st := range []keeper.Status{k.Status(), e.keeper(t).Status()} {
		if st.State != keeper.Retrying || st.LastError == nil || st.NextKind != keeper.NextRetry {
			t.Fatalf("status %s, last error %+v", st.State, st.LastError)
		}
	}
}
