package keeper

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
)

// flightTimeout bounds one refresh, lock wait included, independent of the
// caller that started it (other callers share its result).
const flightTimeout = 90 * time.Second

// ErrSignedOut is returned by Token and Refresh when no session is stored.
var ErrSignedOut = errors.New("not logged in: run a login first")

// tokenSnap is the lock-free view Token's hot path reads.
type tokenSnap struct {
	token   string
	expires time.Time
}

// flight is one refresh in progress; every concurrent caller waits for it.
type flight struct {
	done  chan struct{}
	token string
	err   error
}

// Keeper keeps one profile's session alive. All methods are safe for
// concurrent use.
type Keeper struct {
	opt  Options
	snap atomic.Pointer[tokenSnap]
	poke chan struct{}

	mu        sync.Mutex
	cur       *oauth.Session // with tokens; nil when signed out
	pending   *oauth.Session // rotated but not yet persisted: never dropped
	phase     State          // Valid, Refreshing or Retrying while a session exists
	reason    string
	code      string
	attempts  int
	next      time.Time
	storeErr  string
	inflight  *flight
	lastCheck time.Time
	subs      map[int]func(Status)
	nextSub   int
	last      Status

	// actMu serialises appends to the activity log with its first read.
	actMu sync.Mutex
	// activity is the log once read (newest first); before that, unsaved
	// holds the entries whose append to the store failed.
	activity       []Activity
	activityLoaded bool
	unsaved        []Activity
}

// New returns a keeper for one profile. Call Load before use.
func New(opt Options) *Keeper {
	opt.defaults()
	return &Keeper{opt: opt, poke: make(chan struct{}, 1), phase: Valid, subs: map[int]func(Status){}}
}

// Profile returns the profile name.
func (k *Keeper) Profile() string { return k.opt.Profile }

// Load reads the stored session. The activity log is read only when
// Activity is first called: a `tokendesk token` process never needs it.
func (k *Keeper) Load(ctx context.Context) error {
	s, err := k.opt.Store.LoadSession(ctx, k.opt.Profile, AccessToken)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.setSessionLocked(s)
	k.mu.Unlock()
	k.publish()
	return nil
}

// setSessionLocked installs s as the current session and updates the hot path.
func (k *Keeper) setSessionLocked(s *oauth.Session) {
	k.cur = s
	if s == nil || s.AccessToken == "" || s.Dead != "" {
		k.snap.Store(nil)
		return
	}
	k.snap.Store(&tokenSnap{token: s.AccessToken, expires: s.AccessExpiresAt})
}

// Token returns an access token valid for at least minValid, refreshing
// first when needed. Its hot path takes no lock and allocates nothing.
func (k *Keeper) Token(ctx context.Context, minValid time.Duration) (string, error) {
	if sn := k.snap.Load(); sn != nil && sn.expires.After(k.opt.Now().Add(minValid)) {
		return sn.token, nil
	}
	return k.refresh(ctx, "token", minValid, false)
}

// Refresh refreshes now, even if the access token is still valid, unless
// another process refreshed it meanwhile.
func (k *Keeper) Refresh(ctx context.Context) error {
	_, err := k.refresh(ctx, "user", 0, true)
	return err
}

// refresh runs one single-flight refresh and returns its access token.
func (k *Keeper) refresh(ctx context.Context, trigger string, minValid time.Duration, force bool) (string, error) {
	k.mu.Lock()
	if f := k.inflight; f != nil {
		k.mu.Unlock()
		select {
		case <-f.done:
			return f.token, f.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	k.inflight = f
	k.mu.Unlock()

	go func() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flightTimeout)
		defer cancel()
		f.token, f.err = k.doRefresh(fctx, trigger, minValid, force)
		k.mu.Lock()
		k.inflight = nil
		k.mu.Unlock()
		close(f.done)
	}()
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// doRefresh is load → refresh → persist under the machine-wide lock.
func (k *Keeper) doRefresh(ctx context.Context, trigger string, minValid time.Duration, force bool) (string, error) {
	start := k.opt.Now()
	if tok, err, handled := k.flushPending(ctx); handled {
		return tok, err
	}
	unlock, err := k.opt.Store.Lock(ctx, k.opt.Profile)
	if err != nil {
		return "", fmt.Errorf("wait for another Token Desk process refreshing %q: %w", k.opt.Profile, err)
	}
	defer unlock()

	k.mu.Lock()
	before := k.cur
	k.mu.Unlock()
	// Re-read under the lock: another process may have rotated already.
	s, err := k.opt.Store.LoadSession(ctx, k.opt.Profile, RefreshToken)
	if err != nil {
		k.record(Activity{Action: "refresh", Trigger: trigger, Outcome: "storage_error", Message: err.Error()}, start)
		return "", err
	}
	// The re-read carries the refresh token only. Unless another process
	// rotated meanwhile, the access token known before is still the stored
	// one: keep it, so a failed refresh leaves a still-valid token usable.
	otherRotated := before != nil && s != nil && (!before.RefreshIssuedAt.Equal(s.RefreshIssuedAt) || before.Refreshes != s.Refreshes)
	if s != nil && before != nil && !otherRotated {
		s.AccessToken = before.AccessToken
	}
	k.mu.Lock()
	k.setSessionLocked(s)
	k.mu.Unlock()
	switch {
	case s == nil:
		k.publish()
		return "", ErrSignedOut
	case s.Dead != "":
		k.publish()
		return "", &oauth.Error{Op: "refresh", Kind: oauth.KindRelogin, Msg: s.Dead}
	case s.RefreshToken == "":
		k.publish()
		return "", &oauth.Error{Op: "refresh", Kind: oauth.KindRelogin, Msg: "no refresh token is stored for this profile; log in again"}
	}
	if trigger == "keep-alive" && s.RefreshIssuedAt.Add(k.opt.KeepAlive).After(k.opt.Now()) {
		force = false // another process kept it alive meanwhile
	}
	// The metadata is written after the tokens, so a newer rotation time or
	// count (otherRotated) means another process refreshed since this one
	// last looked.
	if (!force || otherRotated) && s.AccessExpiresAt.After(k.opt.Now().Add(minValid)) {
		// Another process refreshed meanwhile (or the caller asked for less
		// than is left): hand out the stored access token. Only a token
		// another process wrote needs reading; the carried one is current.
		tok := s.AccessToken
		if otherRotated || tok == "" {
			if fresh, err := k.opt.Store.LoadSession(ctx, k.opt.Profile, AccessToken); err == nil && fresh != nil {
				tok = fresh.AccessToken
			}
		}
		if tok != "" {
			s.AccessToken = tok
			k.mu.Lock()
			k.setSessionLocked(s)
			k.mu.Unlock()
			k.setPhase(Valid, "", "")
			return tok, nil
		}
	}

	k.setPhase(Refreshing, "", "")
	ns, rerr := k.opt.OAuth.Refresh(ctx, s)
	if rerr != nil {
		return "", k.refreshFailed(ctx, s, trigger, rerr, start)
	}
	if err := k.opt.Store.SaveSession(ctx, k.opt.Profile, ns); err != nil {
		k.mu.Lock()
		k.pending = ns
		k.storeErr = "the new refresh token could not be saved (" + err.Error() + "); Token Desk holds it in memory and keeps trying — do not quit"
		k.mu.Unlock()
		k.setPhase(Retrying, k.storeErr, "")
		k.record(Activity{Action: "refresh", Trigger: trigger, Outcome: "storage_error", Message: err.Error()}, start)
		return "", fmt.Errorf("save the rotated refresh token: %w", err)
	}
	k.mu.Lock()
	k.setSessionLocked(ns)
	k.attempts, k.next = 0, time.Time{}
	k.mu.Unlock()
	k.setPhase(Valid, "", "")
	k.record(Activity{Action: "refresh", Trigger: trigger, Outcome: "ok"}, start)
	return ns.AccessToken, nil
}

// flushPending retries the write of a rotated refresh token that could not
// be saved. handled is true when the caller must return (tok, err) as is.
func (k *Keeper) flushPending(ctx context.Context) (tok string, err error, handled bool) {
	k.mu.Lock()
	p := k.pending
	k.mu.Unlock()
	if p == nil {
		return "", nil, false
	}
	start := k.opt.Now()
	unlock, err := k.opt.Store.Lock(ctx, k.opt.Profile)
	if err != nil {
		return "", err, true
	}
	defer unlock()
	if err := k.opt.Store.SaveSession(ctx, k.opt.Profile, p); err != nil {
		k.record(Activity{Action: "store", Trigger: "retry", Outcome: "storage_error", Message: err.Error()}, start)
		return "", fmt.Errorf("save the rotated refresh token: %w", err), true
	}
	k.mu.Lock()
	k.pending, k.storeErr = nil, ""
	k.setSessionLocked(p)
	k.mu.Unlock()
	k.setPhase(Valid, "", "")
	k.record(Activity{Action: "store", Trigger: "retry", Outcome: "ok", Message: "the rotated refresh token is saved now"}, start)
	if p.AccessValidFor(k.opt.Now(), 0) {
		return p.AccessToken, nil, true
	}
	return "", nil, false
}

// refreshFailed applies the failure policy: a dead refresh token is
// quarantined (no retry loop); transient failures back off; anything else
// waits for the user, slowly retrying. The stored session stays untouched
// unless the server said it is dead.
func (k *Keeper) refreshFailed(ctx context.Context, s *oauth.Session, trigger string, err error, start time.Time) error {
	var oe *oauth.Error
	errors.As(err, &oe)
	a := Activity{Action: "refresh", Trigger: trigger, Outcome: oauth.KindOf(err).String(), Message: err.Error()}
	code := ""
	if oe != nil {
		a.Code, a.Description, code = oe.Code, oe.Description, oe.Code
	}
	switch oauth.KindOf(err) {
	case oauth.KindRelogin:
		dead := s.Clone()
		dead.Dead = humanError(err)
		if serr := k.opt.Store.SaveMeta(ctx, k.opt.Profile, dead); serr != nil {
			a.Message += "; and the state could not be saved: " + serr.Error()
		}
		k.mu.Lock()
		k.setSessionLocked(dead)
		k.mu.Unlock()
		k.setPhase(Valid, "", code) // the state is derived from Dead
	default:
		k.mu.Lock()
		k.attempts++
		d := backoff(k.opt.MinBackoff, k.opt.MaxBackoff, k.attempts)
		if !oauth.IsTransient(err) {
			d = k.opt.MaxBackoff
		}
		k.next = k.opt.Now().Add(d)
		k.mu.Unlock()
		k.setPhase(Retrying, humanError(err), code)
	}
	k.record(a, start)
	return err
}

// backoff doubles from min per attempt up to max.
func backoff(min, max time.Duration, attempt int) time.Duration {
	d := min
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	return minDur(d, max)
}

func minDur(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

// humanError is an error's text for a status line: an *oauth.Error without
// its operation prefix, anything else as is.
func humanError(err error) string {
	var oe *oauth.Error
	if errors.As(err, &oe) {
		return oe.Human()
	}
	return err.Error()
}
