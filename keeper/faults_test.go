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
	"github.com/tokendesk/tokendesk/storage"
)

// TestRefusedKeyringWrite: when the keyring refuses the rotated refresh
// token, a process waits (bounded, saying so once), hands the token to a
// running app when one takes it, and otherwise gives up with an error that
// says the session is lost.
func TestRefusedKeyringWrite(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int // -1: every write fails
		wait     time.Duration
		handOff  bool
		lost     bool
		calls    int
		messages int
	}{
		{name: "keyring unlocked during the wait", failures: 3, wait: 10 * time.Second, calls: 4, messages: 1},
		{name: "keyring stays locked", failures: -1, wait: 700 * time.Millisecond, lost: true, messages: 1},
		{name: "running app takes the token", failures: -1, wait: 10 * time.Second, handOff: true, calls: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOpt{})
			fs := &flakyStore{Store: e.backend}
			var mu sync.Mutex
			var msgs []string
			var handed *oauth.Session
			e.opt.Store, e.opt.PendingWriteWait = fs, tc.wait
			e.opt.OnPendingWrite = func(m string) { mu.Lock(); msgs = append(msgs, m); mu.Unlock() }
			if tc.handOff {
				e.opt.HandOff = func(_ context.Context, p string, s *oauth.Session) error { handed = s; return nil }
			}
			k := e.keeper(t)
			e.login(t, k)
			oldRT := e.storedRT(t)
			e.srv.Advance(9 * time.Hour)
			fs.setFail(tc.failures)
			calls := fs.saveCalls()
			begin := time.Now()
			tok, err := k.Token(context.Background(), time.Minute)
			mu.Lock()
			defer mu.Unlock()
			if len(msgs) != tc.messages || tc.messages > 0 && !strings.Contains(msgs[0], "unlock the keyring now") {
				t.Fatalf("messages %q", msgs)
			}
			if tc.lost {
				if !errors.Is(err, keeper.ErrRotatedTokenLost) || tok != "" || !strings.Contains(err.Error(), "log in again") {
					t.Fatalf("want a lost-session error, got %q, %v", tok, err)
				}
				if time.Since(begin) > 5*time.Second {
					t.Fatalf("waited %s, longer than PendingWriteWait", time.Since(begin))
				}
				if st := k.Status(); st.State != keeper.Retrying || st.StorageError == "" {
					t.Fatalf("status %+v", st)
				}
				return
			}
			if err != nil || tok == "" {
				t.Fatalf("token: %v", err)
			}
			if got := fs.saveCalls() - calls; got != tc.calls {
				t.Fatalf("%d writes, want %d", got, tc.calls)
			}
			if tc.handOff {
				if handed == nil || !e.srv.RefreshTokenValid(handed.RefreshToken) || e.storedRT(t) != oldRT {
					t.Fatal("the rotated session was not handed off")
				}
				return
			}
			if !e.srv.RefreshTokenValid(e.storedRT(t)) {
				t.Fatal("the rotated refresh token is not the stored one")
			}
			if st := k.Status(); st.State != keeper.Valid || st.StorageError != "" {
				t.Fatalf("status after the write: %+v", st)
			}
		})
	}
}

// TestCancelWaitsForSentRefresh: Ctrl-C (a cancelled ctx) while the refresh
// request is on its way waits until the rotated token is saved.
func TestCancelWaitsForSentRefresh(t *testing.T) {
	e := newEnv(t, envOpt{})
	bo := &blockingOAuth{OAuth: e.cl, entered: make(chan struct{}, 1), release: make(chan struct{})}
	e.opt.OAuth = bo
	k := e.keeper(t)
	e.login(t, k)
	e.srv.Advance(9 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := k.Token(ctx, time.Minute); done <- err }()
	<-bo.entered
	cancel()
	select {
	case err := <-done:
		t.Fatalf("returned before the answer was saved: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(bo.release)
	var ie *keeper.InterruptedError
	if err := <-done; !errors.Is(err, context.Canceled) || !errors.As(err, &ie) {
		t.Fatalf("want an InterruptedError wrapping the cancellation, got %v", err)
	}
	if rt := e.storedRT(t); !e.srv.RefreshTokenValid(rt) || e.srv.Stats().Refreshes != 1 {
		t.Fatal("the rotated refresh token was not saved")
	}
}

// TestCancelBeforeSendSendsNothing: a caller that gives up while waiting
// for the profile lock leaves no refresh behind to be cut off at exit.
func TestCancelBeforeSendSendsNothing(t *testing.T) {
	e := newEnv(t, envOpt{})
	k := e.keeper(t)
	e.login(t, k)
	e.srv.Advance(9 * time.Hour)
	unlock, err := e.backend.Lock(context.Background(), "p") // another process refreshing
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := k.Token(ctx, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the caller's deadline, got %v", err)
	}
	unlock()
	if err := k.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Stats().Refreshes; n != 0 {
		t.Fatalf("%d refreshes sent after every caller left", n)
	}
}

// TestDamagedEntries: a damaged access token is a cache miss; a damaged
// refresh token asks for a login, and the login works.
func TestDamagedEntries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		key     string
		relogin bool
	}{
		{"access token", storage.KeyAccessToken, false},
		{"refresh token", storage.KeyRefreshToken, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOpt{})
			cs := &corruptSecrets{MemorySecrets: e.secrets}
			e.opt.Store = &keeper.StorageBackend{Config: e.store, Secrets: cs}
			e.login(t, e.keeper(t))
			cs.damage(tc.key)
			k := e.keeper(t) // Load must not fail on a damaged cache
			if tc.relogin {
				e.srv.Advance(9 * time.Hour) // the access token is intact: wait until a refresh reads the damage
			}
			tok, err := k.Token(context.Background(), time.Minute)
			if !tc.relogin {
				if err != nil || tok == "" || e.srv.Stats().Refreshes != 1 {
					t.Fatalf("a damaged access token was not refreshed: %v", err)
				}
				if len(cs.deleted) == 0 || cs.deleted[0] != storage.KeyAccessToken {
					t.Fatalf("the damaged entry was not dropped: %v", cs.deleted)
				}
				return
			}
			if !oauth.IsRelogin(err) || !strings.Contains(err.Error(), "damaged") {
				t.Fatalf("want a relogin error about the damage, got %v", err)
			}
			k2 := e.keeper(t)
			if err := k2.Verify(context.Background()); err != nil {
				t.Fatal(err)
			}
			for _, st := range []keeper.Status{k.Status(), k2.Status()} {
				if st.State != keeper.ReloginRequired || !strings.Contains(st.Reason, "damaged") {
					t.Fatalf("status %s %q", st.State, st.Reason)
				}
			}
			e.login(t, k)
			if tok, err := k.Token(context.Background(), time.Minute); err != nil || tok == "" || k.Status().State != keeper.Valid {
				t.Fatalf("login did not recover: %v", err)
			}
		})
	}
}

// TestMissingRefreshTokenStatusAndTokenAgree: with the refresh-token entry
// gone, status (through Verify) and token both say to log in again, in the
// same words.
func TestMissingRefreshTokenStatusAndTokenAgree(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.login(t, e.keeper(t))
	if err := e.secrets.Delete("p", storage.KeyRefreshToken); err != nil {
		t.Fatal(err)
	}
	status := e.keeper(t)
	if st := status.Status(); st.State != keeper.Valid {
		t.Fatalf("setup: %s", st.State)
	}
	if err := status.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(9 * time.Hour)
	token := e.keeper(t)
	_, err := token.Token(context.Background(), time.Minute)
	a, b := status.Status(), token.Status()
	if !oauth.IsRelogin(err) || a.State != keeper.ReloginRequired || b.State != keeper.ReloginRequired || a.Reason != b.Reason ||
		!strings.Contains(err.Error(), a.Reason) {
		t.Fatalf("token: %v\nstatus: %s %q\ntoken's status: %s %q", err, a.State, a.Reason, b.State, b.Reason)
	}
}

// TestLogoutNeverLeavesValidMetadata: a logout whose config write fails
// deletes nothing; one that fails after deleting the tokens leaves a
// session that asks for a login.
func TestLogoutNeverLeavesValidMetadata(t *testing.T) {
	t.Run("config refuses the first write", func(t *testing.T) {
		e := newEnv(t, envOpt{})
		fs := &flakyStore{Store: e.backend}
		e.opt.Store = fs
		k := e.keeper(t)
		e.login(t, k)
		fs.metaFail = true
		err := k.Logout(context.Background())
		if err == nil || !strings.Contains(err.Error(), "nothing was deleted") || e.secrets.Len() != 2 {
			t.Fatalf("logout: %v, %d secrets left", err, e.secrets.Len())
		}
		if st := k.Status(); st.State != keeper.Valid {
			t.Fatalf("state %s after a logout that changed nothing", st.State)
		}
	})
	t.Run("config fails after the tokens are gone", func(t *testing.T) {
		e := newEnv(t, envOpt{})
		k := e.keeper(t)
		e.login(t, k)
		e.opt.Store = &halfDeleteStore{Store: e.backend, secrets: e.secrets}
		k = e.keeper(t)
		if err := k.Logout(context.Background()); err == nil {
			t.Fatal("a failed logout reported success")
		}
		if st := e.keeper(t).Status(); st.State != keeper.ReloginRequired {
			t.Fatalf("another process sees %s after a half-done logout", st.State)
		}
	})
}

// TestConfigWriteFailureAfterSavedTokens: the tokens are in the keyring, so
// the refresh succeeds, with a warning.
func TestConfigWriteFailureAfterSavedTokens(t *testing.T) {
	e := newEnv(t, envOpt{})
	fs := &flakyStore{Store: e.backend}
	e.opt.Store = fs
	k := e.keeper(t)
	e.login(t, k)
	fs.metaFail = true
	if err := k.Refresh(context.Background()); err != nil {
		t.Fatalf("refresh reported a failure although the tokens were saved: %v", err)
	}
	st := k.Status()
	if st.State != keeper.Valid || !strings.Contains(st.StorageError, "config file") || !e.srv.RefreshTokenValid(e.storedRT(t)) {
		t.Fatalf("status %s, storage error %q", st.State, st.StorageError)
	}
	if a := waitActivity(t, k, 2); a[0].Outcome != "ok" || a[1].Outcome != "storage_error" {
		t.Fatalf("activity: %+v", a[:2])
	}
}

// TestStorageBackendMetaError: StorageBackend reports a config write that
// fails after the tokens as a *MetaError.
func TestStorageBackendMetaError(t *testing.T) {
	dir := t.TempDir() + "/not-a-dir"
	if err := writeFile(dir); err != nil {
		t.Fatal(err)
	}
	b := &keeper.StorageBackend{Config: storage.Open(dir), Secrets: storage.NewMemorySecrets()}
	err := b.SaveSession(context.Background(), "p", &oauth.Session{AccessToken: "at", RefreshToken: "rt"})
	var me *keeper.MetaError
	if !errors.As(err, &me) {
		t.Fatalf("want a *MetaError, got %v", err)
	}
	if v, _ := b.Secrets.Get("p", storage.KeyRefreshToken); v != "rt" {
		t.Fatal("the refresh token was not saved first")
	}
}

// TestHandOffToRunningApp: a command-line process whose keyring write fails
// hands the rotated session to the app, which holds it until its own write
// succeeds; nothing is lost and nothing is refreshed twice.
func TestHandOffToRunningApp(t *testing.T) {
	e := newEnv(t, envOpt{})
	appStore := &flakyStore{Store: e.backend}
	appOpt := e.opt
	appOpt.Store = appStore
	app := keeper.New(appOpt)
	if err := app.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.login(t, app)
	cliStore := &flakyStore{Store: e.backend}
	e.opt.Store, e.opt.HandOff = cliStore, func(ctx context.Context, _ string, s *oauth.Session) error { return app.Adopt(ctx, s) }
	cli := e.keeper(t)
	e.srv.Advance(9 * time.Hour)
	cliStore.setFail(-1)
	appStore.setFail(1) // the app's first write fails as well
	if tok, err := cli.Token(context.Background(), time.Minute); err != nil || tok == "" {
		t.Fatalf("cli token: %v", err)
	}
	if st := app.Status(); st.State != keeper.Retrying || st.StorageError == "" {
		t.Fatalf("the app does not say it holds an unsaved token: %+v", st)
	}
	e.srv.Advance(time.Minute)
	app.Check(context.Background())
	if st := app.Status(); st.State != keeper.Valid || st.StorageError != "" {
		t.Fatalf("after the app's retry: %+v", st)
	}
	if !e.srv.RefreshTokenValid(e.storedRT(t)) || e.srv.Stats().Refreshes != 1 {
		t.Fatalf("the handed-off refresh token was not saved: %+v", e.srv.Stats())
	}
}
