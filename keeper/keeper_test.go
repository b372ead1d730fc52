package keeper_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
	"github.com/tokendesk/tokendesk/storage"
)

func TestTokenServesValidTokenWithoutServer(t *testing.T) {
	e := newEnv(t, envOpt{})
	k := e.keeper(t)
	if st := k.Status(); st.State != keeper.SignedOut {
		t.Fatalf("state %s before login", st.State)
	}
	if _, err := k.Token(context.Background(), 0); !errors.Is(err, keeper.ErrSignedOut) {
		t.Fatalf("token before login: %v", err)
	}
	e.login(t, k)
	before := e.srv.Stats()
	t1, err := k.Token(context.Background(), 5*time.Minute)
	if err != nil || t1 == "" {
		t.Fatal(err)
	}
	t2, _ := k.Token(context.Background(), 5*time.Minute)
	if t1 != t2 || e.srv.Stats() != before {
		t.Fatal("a valid token caused a server call or changed")
	}
}

func TestExpiredTokenRefreshesOncePersistingFirst(t *testing.T) {
	e := newEnv(t, envOpt{})
	k := e.keeper(t)
	e.login(t, k)
	oldRT := e.storedRT(t)
	old, _ := k.Token(context.Background(), 0)
	e.srv.Advance(8*time.Hour + time.Minute)
	tok, err := k.Token(context.Background(), 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if tok == old {
		t.Fatal("expired token returned")
	}
	// The rotated refresh token was stored before the token was handed out.
	if rt := e.storedRT(t); rt == oldRT || !e.srv.RefreshTokenValid(rt) || e.srv.RefreshTokenValid(oldRT) {
		t.Fatal("the stored refresh token is not the rotated one")
	}
	if st := e.srv.Stats(); st.Refreshes != 1 {
		t.Fatalf("%d refreshes", st.Refreshes)
	}
	st := k.Status()
	if st.State != keeper.Valid || !st.Session.Extended() || st.Session.Refreshes != 1 {
		t.Fatalf("status after refresh: %+v", st)
	}
	// A new keeper (a new process) sees the same session.
	k2 := e.keeper(t)
	if tok2, _ := k2.Token(context.Background(), 0); tok2 != tok {
		t.Fatal("the new access token was not persisted")
	}
}

func TestStormRefreshesExactlyOnce(t *testing.T) {
	e := newEnv(t, envOpt{})
	k := e.keeper(t)
	e.login(t, k)
	e.srv.Advance(9 * time.Hour)
	var wg sync.WaitGroup
	tokens := make([]string, 500)
	errs := make([]error, 500)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tokens[i], errs[i] = k.Token(context.Background(), time.Minute)
		}()
	}
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
	}
	if st := e.srv.Stats(); st.Refreshes != 1 {
		t.Fatalf("%d refreshes for one expiry", st.Refreshes)
	}
}

func TestTwoKeepersShareOneRefresh(t *testing.T) {
	e := newEnv(t, envOpt{})
	a := e.keeper(t)
	e.login(t, a)
	b := e.keeper(t) // another process's view
	e.srv.Advance(9 * time.Hour)
	ta, err := a.Token(context.Background(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Token(context.Background(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if ta != tb || e.srv.Stats().Refreshes != 1 || e.srv.Stats().RefreshRejected != 0 {
		t.Fatalf("second keeper refreshed again or used a dead token: %+v", e.srv.Stats())
	}
}

func TestPersistFailureNeverDropsRotatedToken(t *testing.T) {
	// As in the window: hold the token in memory and retry on each call.
	e := newEnv(t, envOpt{mutate: func(o *keeper.Options) { o.PendingWriteWait = -1 }})
	k := e.keeper(t)
	e.login(t, k)
	e.srv.Advance(9 * time.Hour)
	e.backend.setFail(errDiskFull)
	tok, err := k.Token(context.Background(), time.Minute)
	if err == nil || tok != "" {
		t.Fatal("a token was handed out although its refresh token was not saved")
	}
	if !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error: %v", err)
	}
	st := k.Status()
	if st.StorageError == "" || st.State != keeper.Retrying {
		t.Fatalf("status does not report the storage failure: %+v", st)
	}
	// The server has rotated: the stored refresh token is dead now, and only
	// the keeper's memory holds the live one.
	if e.srv.RefreshTokenValid(e.storedRT(t)) {
		t.Fatal("setup: the stored token should be rotated out")
	}
	e.backend.setFail(nil)
	tok, err = k.Token(context.Background(), time.Minute)
	if err != nil || tok == "" {
		t.Fatalf("after storage recovered: %v", err)
	}
	if rt := e.storedRT(t); !e.srv.RefreshTokenValid(rt) {
		t.Fatal("the rotated refresh token was not written once storage recovered")
	}
	if e.srv.Stats().Refreshes != 1 {
		t.Fatalf("refreshed again instead of saving the held token: %+v", e.srv.Stats())
	}
	if st := k.Status(); st.StorageError != "" || st.State != keeper.Valid {
		t.Fatalf("status after recovery: %+v", st)
	}
}

func TestTransientFailureBacksOffAndRecovers(t *testing.T) {
	e := newEnv(t, envOpt{})
	k := e.keeper(t)
	e.login(t, k)
	rt := e.storedRT(t)
	e.srv.Advance(8 * time.Hour)
	e.srv.InjectFault(sandbox.Fault{Path: "/oauth/token", Status: 503, ContentType: "text/html", Body: "<h1>down</h1>"}, 2)
	k.Check(context.Background())
	st := k.Status()
	if st.State != keeper.Retrying || st.NextAttempt.IsZero() || !strings.Contains(st.Reason, "HTML") {
		t.Fatalf("status %+v", st)
	}
	if e.storedRT(t) != rt {
		t.Fatal("a failed refresh touched the stored session")
	}
	first := st.NextAttempt.Sub(e.srv.Now())
	k.Check(context.Background()) // not due yet: no request
	if got := e.srv.Stats().Faults; got != 1 {
		t.Fatalf("retried before the backoff: %d faults", got)
	}
	e.srv.Advance(first + time.Millisecond)
	k.Check(context.Background())
	second := k.Status().NextAttempt.Sub(e.srv.Now())
	if second <= first {
		t.Fatalf("backoff did not grow: %s then %s", first, second)
	}
	e.srv.Advance(second + time.Millisecond)
	k.Check(context.Background())
	if st := k.Status(); st.State != keeper.Valid || e.srv.Stats().Refreshes != 1 {
		t.Fatalf("did not recover: %+v", st)
	}
}

func TestDeadRefreshTokenAsksForLoginWithoutRetrying(t *testing.T) {
	e := newEnv(t, envOpt{})
	k := e.keeper(t)
	e.login(t, k)
	e.srv.RevokeConsent()
	e.srv.Advance(9 * time.Hour)
	_, err := k.Token(context.Background(), time.Minute)
	if !oauth.IsRelogin(err) {
		t.Fatalf("want a relogin error, got %v", err)
	}
	for range 5 {
		e.srv.Advance(time.Hour)
		k.Check(context.Background())
	}
	if got := e.srv.Stats().RefreshRejected; got != 1 {
		t.Fatalf("retried a dead refresh token: %d rejected refreshes", got)
	}
	if st := e.keeper(t).Status(); st.State != keeper.ReloginRequired || st.ErrorCode != "invalid_grant" || st.DiedAt.IsZero() {
		t.Fatalf("a new process does not see the dead session: %+v", st)
	}
	e.login(t, k)
	if st := k.Status(); st.State != keeper.Valid {
		t.Fatalf("login did not clear the dead state: %+v", st)
	}
}

func TestNonExtendedDiesAfter30DaysExtendedLives(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scopes []string
		dies   bool
	}{
		{"not extended", []string{"signature"}, true},
		{"extended", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOpt{scopes: tc.scopes})
			k := e.keeper(t)
			e.login(t, k)
			// Refreshed every 8 hours for 31 days, as the running app would.
			for range 31 * 3 {
				e.srv.Advance(8 * time.Hour)
				k.Check(context.Background())
			}
			st := k.Status()
			if tc.dies {
				if st.State != keeper.ReloginRequired {
					t.Fatalf("state %s after 31 days without extended", st.State)
				}
				return
			}
			if st.State != keeper.Valid || st.ExpiringSoon {
				t.Fatalf("extended session after 31 days: %+v", st)
			}
		})
	}
}

func TestKeepAliveAndWake(t *testing.T) {
	e := newEnv(t, envOpt{accessTTL: 72 * time.Hour, mutate: func(o *keeper.Options) { o.CheckEvery = time.Minute }})
	k := e.keeper(t)
	e.login(t, k)
	k.Check(context.Background())
	e.srv.Advance(25 * time.Hour) // access token still valid: only the keep-alive is due
	k.Check(context.Background())
	if e.srv.Stats().Refreshes != 1 {
		t.Fatalf("no keep-alive refresh: %+v", e.srv.Stats())
	}
	acts := k.Activity()
	if len(acts) == 0 || acts[0].Trigger != string(keeper.TriggerKeepAlive) {
		t.Fatalf("activity: %+v", acts)
	}
	// A laptop asleep past the access token's expiry refreshes on wake.
	e.srv.Advance(80 * time.Hour)
	k.Check(context.Background())
	if a := k.Activity()[0]; a.Trigger != "wake" || a.Outcome != "ok" {
		t.Fatalf("after sleep: %+v", a)
	}
}

func TestExpiringSoonWarning(t *testing.T) {
	e := newEnv(t, envOpt{scopes: []string{"signature"}, mutate: func(o *keeper.Options) { o.WarnHorizon = 72 * time.Hour }})
	k := e.keeper(t)
	e.login(t, k)
	var mu sync.Mutex
	var seen []keeper.Status
	cancel := k.Subscribe(func(s keeper.Status) { mu.Lock(); seen = append(seen, s); mu.Unlock() })
	defer cancel()
	e.srv.Advance(26 * 24 * time.Hour)
	k.Check(context.Background())
	if st := k.Status(); st.ExpiringSoon {
		t.Fatal("warned 4 days before the end")
	}
	e.srv.Advance(2 * 24 * time.Hour)
	k.Check(context.Background())
	st := k.Status()
	if !st.ExpiringSoon || st.State == keeper.ReloginRequired {
		t.Fatalf("no warning 2 days before the end: %+v", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if last := seen[len(seen)-1]; !last.ExpiringSoon {
		t.Fatal("the warning was not pushed to subscribers")
	}
}

func TestSubscribersSeeRefreshing(t *testing.T) {
	e := newEnv(t, envOpt{})
	k := e.keeper(t)
	e.login(t, k)
	var mu sync.Mutex
	var states []keeper.State
	cancel := k.Subscribe(func(s keeper.Status) { mu.Lock(); states = append(states, s.State); mu.Unlock() })
	e.srv.Advance(9 * time.Hour)
	if _, err := k.Token(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	cancel()
	e.srv.Advance(9 * time.Hour)
	_, _ = k.Token(context.Background(), 0)
	mu.Lock()
	defer mu.Unlock()
	want := []keeper.State{keeper.Valid, keeper.Refreshing, keeper.Valid}
	if len(states) != len(want) {
		t.Fatalf("states %v, want %v (and nothing after cancel)", states, want)
	}
	for i := range want {
		if states[i] != want[i] {
			t.Fatalf("states %v, want %v", states, want)
		}
	}
}

func TestActivityHasNoSecrets(t *testing.T) {
	e := newEnv(t, envOpt{})
	k := e.keeper(t)
	e.login(t, k)
	e.srv.Advance(9 * time.Hour)
	tok, _ := k.Token(context.Background(), 0)
	e.srv.RevokeConsent()
	e.srv.Advance(9 * time.Hour)
	_, _ = k.Token(context.Background(), 0)
	rt := e.storedRT(t)
	acts := k.Activity()
	if len(acts) < 4 {
		t.Fatalf("activity too short: %+v", acts)
	}
	for _, a := range acts {
		all := a.Action + a.Trigger + a.Outcome + a.Code + a.Description + a.Message
		if strings.Contains(all, tok) || strings.Contains(all, rt) {
			t.Fatal("a token value reached the activity log")
		}
	}
	k.Logout(context.Background())
	if e.secrets.Len() != 0 {
		t.Fatalf("logout left %d secrets", e.secrets.Len())
	}
}

// TestPokeChecksAtOnce: Run sleeps up to CheckEvery, but a poke (the window
// coming to the foreground after a suspend) makes it check immediately.
func TestPokeChecksAtOnce(t *testing.T) {
	e := newEnv(t, envOpt{mutate: func(o *keeper.Options) { o.CheckEvery = time.Hour }})
	k := e.keeper(t)
	e.login(t, k)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	defer func() { cancel(); <-stopped; _ = k.Drain(context.Background()) }() // no write after the test's cleanup
	go func() { k.Run(ctx); close(stopped) }()
	time.Sleep(100 * time.Millisecond) // Run's first check: nothing due
	e.srv.Advance(9 * time.Hour)       // the laptop slept through the expiry
	k.Poke()
	deadline := time.Now().Add(5 * time.Second)
	for e.srv.Stats().Refreshes == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if e.srv.Stats().Refreshes != 1 {
		t.Fatal("a poke did not trigger the overdue refresh")
	}
}

// TestFailedRefreshKeepsValidToken: a scheduled refresh that fails while
// the access token still has minutes left must not make that token
// unavailable, and marking a session dead must not touch the stored tokens.
func TestFailedRefreshKeepsValidToken(t *testing.T) {
	e := newEnv(t, envOpt{})
	k := e.keeper(t)
	e.login(t, k)
	at, _ := k.Token(context.Background(), 0)
	e.srv.Advance(8*time.Hour - 5*time.Minute) // inside the 10-minute lead
	e.srv.InjectFault(sandbox.ServerErrorFault(503), 1)
	k.Check(context.Background())
	if st := k.Status(); st.State != keeper.Retrying {
		t.Fatalf("state %s after a failed scheduled refresh", st.State)
	}
	before := e.srv.Stats()
	got, err := k.Token(context.Background(), time.Minute)
	if err != nil || got != at || e.srv.Stats() != before {
		t.Fatalf("the still-valid token was not served without a new refresh: %v", err)
	}

	e.srv.RevokeConsent()
	e.srv.Advance(time.Hour)
	if _, err := k.Token(context.Background(), time.Minute); !oauth.IsRelogin(err) {
		t.Fatalf("want relogin, got %v", err)
	}
	if stored, _ := e.secrets.Get("p", storage.KeyAccessToken); stored != at {
		t.Fatal("marking the session dead rewrote the stored access token")
	}
}

// countingStore counts activity-log reads and can fail appends.
type countingStore struct {
	keeper.Store
	mu         sync.Mutex
	reads      int
	failAppend bool
}

func (c *countingStore) ReadActivity(p string, limit int) ([]keeper.Activity, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return c.Store.ReadActivity(p, limit)
}

func (c *countingStore) AppendActivity(p string, a keeper.Activity) error {
	c.mu.Lock()
	fail := c.failAppend
	c.mu.Unlock()
	if fail {
		return errDiskFull
	}
	return c.Store.AppendActivity(p, a)
}

// TestActivityReadOnlyWhenAsked: handing out a token never reads the
// activity log; the first Activity call shows what earlier processes logged
// and what this one could not write to the log.
func TestActivityReadOnlyWhenAsked(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.login(t, e.keeper(t)) // an earlier process logs a login and userinfo
	cs := &countingStore{Store: e.backend}
	e.opt.Store = cs
	k := e.keeper(t)
	if _, err := k.Token(context.Background(), time.Minute); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(9 * time.Hour)
	cs.failAppend = true
	if _, err := k.Token(context.Background(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if cs.reads != 0 {
		t.Fatalf("the activity log was read %d times without being asked for", cs.reads)
	}
	// The first call does not wait for the file: it shows this process's
	// entries at once, and the stored ones once the background read is in.
	if acts := k.Activity(); len(acts) != 1 || acts[0].Action != "refresh" {
		t.Fatalf("first call: %+v", acts)
	}
	acts := waitActivity(t, k, 3)
	if acts[0].Action != "refresh" || acts[len(acts)-1].Action != "login" {
		t.Fatalf("want the unsaved refresh first and the earlier login last: %+v", acts)
	}
	k.Activity()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.reads != 1 {
		t.Fatalf("the log was read %d times", cs.reads)
	}
}

// waitActivity polls Activity until it holds at least n entries.
func waitActivity(t *testing.T, k *keeper.Keeper, n int) []keeper.Activity {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		acts := k.Activity()
		if len(acts) >= n {
			return acts
		}
		if time.Now().After(deadline) {
			t.Fatalf("activity has %d entries, want %d: %+v", len(acts), n, acts)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
