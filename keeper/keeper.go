package keeper

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// flightTimeout bounds one refresh, lock wait included, independent of the
// caller that started it (other callers share its result). A wait for a
// refused keyring write (Options.PendingWriteWait) comes on top.
const flightTimeout = 90 * time.Second

// tokenSnap is the lock-free view Token's hot path reads.
type tokenSnap struct {
	token    string
	expires  time.Time
	maxValid time.Duration
	lifetime time.Duration
}

// flight is one refresh in progress; every concurrent caller waits for it.
type flight struct {
	done chan struct{}
	// waiters counts the callers still waiting (guarded by Keeper.mu); a
	// flight whose callers all left before its request was sent sends none.
	waiters int
	// sent is set once the refresh request is on its way: from then on a
	// cancelled caller waits for the answer to be saved.
	sent  atomic.Bool
	token string
	err   error
}

// Keeper keeps one profile's session alive. All methods are safe for
// concurrent use.
type Keeper struct {
	opt  Options
	pol  Policy
	snap atomic.Pointer[tokenSnap]
	poke chan struct{}

	mu        sync.Mutex
	cur       *oauth.Session // with tokens; nil when signed out
	pending   *oauth.Session // rotated but not yet persisted: never dropped
	phase     State          // Valid, Refreshing or Retrying while a session exists
	reason    string         // why Retrying, as this process decided it
	unusable  string         // why the stored refresh token cannot be used
	attempts  int
	next      time.Time // when Retrying (or a pending write) is retried
	storeErr  string
	inflight  *flight
	lastCheck time.Time
	lastEvent *Event
	actVer    uint64
	subs      map[int]func(Status)
	nextSub   int
	last      Status

	// actMu guards the in-memory activity log (see activity.go).
	actMu    sync.Mutex
	actState int
	activity []Activity // the merged log once read, newest first
	own      []Activity // entries this process recorded before that
}

// New returns a keeper for one profile. Call Load before use.
func New(opt Options) *Keeper {
	opt.defaults()
	return &Keeper{opt: opt, pol: opt.policy(), poke: make(chan struct{}, 1), phase: Valid, subs: map[int]func(Status){}}
}

// Profile returns the profile name.
func (k *Keeper) Profile() string { return k.opt.Profile }

// Load reads the stored session with its access token (one keyring read).
// The activity log is read only when Activity is first called: a
// `tokendesk token` process never needs it.
func (k *Keeper) Load(ctx context.Context) error {
	s, err := k.opt.Store.LoadSession(ctx, k.opt.Profile, AccessToken)
	if err != nil {
		return fmt.Errorf("load the session of profile %q: %w", k.opt.Profile, err)
	}
	k.mu.Lock()
	k.setSessionLocked(s)
	k.mu.Unlock()
	k.publish()
	return nil
}

// Verify reads whether the stored refresh token is present and readable
// (one keyring read), so that a status shows "log in again" when it is not,
// as a refresh would find. The command line's status calls it; Token's hot
// path does not read the refresh token.
func (k *Keeper) Verify(ctx context.Context) error {
	s, err := k.opt.Store.LoadSession(ctx, k.opt.Profile, RefreshToken)
	damaged := errors.Is(err, storage.ErrCorrupt)
	if err != nil && !damaged {
		return fmt.Errorf("check the refresh token of profile %q: %w", k.opt.Profile, err)
	}
	k.mu.Lock()
	switch {
	case damaged:
		k.unusable = msgDamagedRefreshToken
	case s == nil:
		k.setSessionLocked(nil)
	case s.RefreshToken == "":
		k.unusable = msgNoRefreshToken
	default:
		k.unusable = ""
	}
	k.mu.Unlock()
	k.publish()
	return nil
}

// setSessionLocked installs s as the current session and updates the hot path.
func (k *Keeper) setSessionLocked(s *oauth.Session) {
	k.cur = s
	if s == nil {
		k.unusable = ""
	}
	if s == nil || s.AccessToken == "" || s.Dead != "" {
		k.snap.Store(nil)
		return
	}
	k.snap.Store(&tokenSnap{token: s.AccessToken, expires: s.AccessExpiresAt, maxValid: MaxValidity(s), lifetime: AccessLifetime(s)})
}

// sessionLocked is the session the keeper stands for: a rotated one held
// in memory wins over the stored one.
func (k *Keeper) sessionLocked() *oauth.Session {
	if k.pending != nil {
		return k.pending
	}
	return k.cur
}

// phaseLocked is the in-memory half of the refresh decision's input.
func (k *Keeper) phaseLocked() Phase {
	return Phase{State: k.phase, Reason: k.reason, RetryAt: k.next, Pending: k.pending != nil, Unusable: k.unusable}
}

// Token returns an access token valid for at least minValid, refreshing
// first when needed. Its hot path takes no lock and allocates nothing.
//
// minValid is capped at half of the access token's lifetime, so short-lived
// tokens are not refreshed on every call. When the cap bites, Token returns
// a usable token together with a *ShortValidityError saying how long it is
// valid; callers that can live with that use the token and warn.
func (k *Keeper) Token(ctx context.Context, minValid time.Duration) (string, error) {
	now := k.opt.Now()
	if sn := k.snap.Load(); sn != nil {
		need := min(minValid, sn.maxValid)
		if sn.expires.After(now.Add(need)) {
			if need < minValid {
				return sn.token, &ShortValidityError{Asked: minValid, Got: sn.expires.Sub(now), Lifetime: sn.lifetime}
			}
			return sn.token, nil
		}
	}
	tok, err := k.refresh(ctx, TriggerToken, minValid, false)
	if err != nil {
		return "", err
	}
	if sn := k.snap.Load(); sn != nil && sn.token == tok && minValid > sn.maxValid {
		return tok, &ShortValidityError{Asked: minValid, Got: sn.expires.Sub(k.opt.Now()), Lifetime: sn.lifetime}
	}
	return tok, nil
}

// Refresh refreshes now, even if the access token is still valid, unless
// another process refreshed it meanwhile.
func (k *Keeper) Refresh(ctx context.Context) error {
	_, err := k.refresh(ctx, TriggerUser, 0, true)
	return err
}

// Drain waits until no refresh is in flight, or ctx ends. A process calls
// it before exiting so that a refresh it started (in Run, say) is saved.
func (k *Keeper) Drain(ctx context.Context) error {
	k.mu.Lock()
	f := k.inflight
	k.mu.Unlock()
	if f == nil {
		return nil
	}
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the refresh in flight: %w", ctx.Err())
	}
}

// refresh runs one single-flight refresh and returns its access token. A
// caller whose ctx ends returns at once, unless the refresh request is
// already on its way: then it waits until the answer is saved (bounded by
// the flight's timeout), so that Ctrl-C never drops a rotated token.
func (k *Keeper) refresh(ctx context.Context, trigger Trigger, minValid time.Duration, force bool) (string, error) {
	k.mu.Lock()
	f := k.inflight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		k.inflight = f
		go k.fly(ctx, f, trigger, minValid, force)
	}
	f.waiters++
	k.mu.Unlock()
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
	}
	k.mu.Lock()
	f.waiters--
	k.mu.Unlock()
	if !f.sent.Load() {
		return "", ctx.Err()
	}
	<-f.done
	if f.err != nil {
		return "", f.err
	}
	return "", &InterruptedError{cause: ctx.Err()}
}

// InterruptedError is the error of a caller that was cancelled while its
// refresh was on the wire: the refresh was finished and its tokens saved
// before the caller got this. It wraps the context's error.
type InterruptedError struct{ cause error }

// Error says what happened in words a person can use.
func (e *InterruptedError) Error() string {
	return "interrupted; the refresh already sent was finished and its tokens saved first"
}

// Unwrap returns the context's error.
func (e *InterruptedError) Unwrap() error { return e.cause }

// fly runs a flight to its end, independent of the caller that started it.
func (k *Keeper) fly(ctx context.Context, f *flight, trigger Trigger, minValid time.Duration, force bool) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flightTimeout)
	defer cancel()
	tok, err := k.doRefresh(fctx, f, trigger, minValid, force)
	k.mu.Lock()
	f.token, f.err = tok, err
	k.inflight = nil
	k.mu.Unlock()
	close(f.done)
}
