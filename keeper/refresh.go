package keeper

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// doRefresh is load → refresh → persist under the machine-wide lock.
func (k *Keeper) doRefresh(ctx context.Context, f *flight, trigger Trigger, minValid time.Duration, force bool) (string, error) {
	start := k.opt.Now()
	if tok, err, handled := k.flushPending(ctx); handled {
		return tok, err
	}
	unlock, err := k.opt.Store.Lock(ctx, k.opt.Profile)
	if err != nil {
		err = fmt.Errorf("wait for another Token Desk process refreshing %q: %w", k.opt.Profile, err)
		k.record(Activity{Action: "refresh", Trigger: string(trigger), Outcome: "lock_error", Message: err.Error()}, start)
		return "", err
	}
	defer unlock()

	k.mu.Lock()
	before := k.cur
	k.mu.Unlock()
	// Re-read under the lock: another process may have rotated already.
	s, err := k.opt.Store.LoadSession(ctx, k.opt.Profile, RefreshToken)
	if err != nil {
		if errors.Is(err, storage.ErrCorrupt) {
			k.mu.Lock()
			k.unusable = msgDamagedRefreshToken
			k.mu.Unlock()
			err = &oauth.Error{Op: "refresh", Kind: oauth.KindRelogin, Msg: msgDamagedRefreshToken, Err: err}
		}
		k.record(Activity{Action: "refresh", Trigger: string(trigger), Outcome: "storage_error", Message: err.Error()}, start)
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
	switch {
	case s == nil:
	case s.Dead == "" && s.RefreshToken == "":
		k.unusable = msgNoRefreshToken
	default:
		k.unusable = ""
	}
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
		return "", &oauth.Error{Op: "refresh", Kind: oauth.KindRelogin, Msg: msgNoRefreshToken}
	}
	now := k.opt.Now()
	if trigger == TriggerKeepAlive && k.pol.KeepAliveAt(s).After(now) {
		force = false // another process kept it alive meanwhile
	}
	// The metadata is written after the tokens, so a newer rotation time or
	// count (otherRotated) means another process refreshed since this one
	// last looked.
	if (!force || otherRotated) && s.AccessExpiresAt.After(now.Add(CapValidity(s, minValid))) {
		if tok := k.storedAccessToken(ctx, s, otherRotated); tok != "" {
			return tok, nil
		}
	}
	if ra := retryAfter(s, now); !ra.IsZero() {
		return "", k.deferred(trigger, ra, start)
	}

	k.mu.Lock()
	if f.waiters == 0 { // every caller left before anything was sent
		k.mu.Unlock()
		return "", fmt.Errorf("refresh: %w", context.Canceled)
	}
	f.sent.Store(true)
	k.phase = Refreshing
	k.mu.Unlock()
	k.publish()
	sent := k.opt.Now()
	ns, rerr := k.opt.OAuth.Refresh(ctx, s)
	var oe *oauth.Error
	if errors.As(rerr, &oe) && oe.Session != nil {
		return "", k.rescue(ctx, oe.Session, trigger, rerr, start)
	}
	if rerr != nil {
		return "", k.refreshFailed(ctx, s, trigger, rerr, start)
	}
	if ns.AccessIssuedAt.IsZero() {
		ns.AccessIssuedAt = sent.UTC()
	}
	ns.LastFailure, ns.Dead, ns.DiedAt = nil, "", time.Time{}
	return k.persist(ctx, ns, trigger, start)
}

// storedAccessToken hands out the stored access token when it is valid
// enough. Only a token another process wrote needs reading; the carried one
// is current. The phase is kept: a Retrying keeper stays Retrying until an
// attempt happens, unless another process refreshed meanwhile.
func (k *Keeper) storedAccessToken(ctx context.Context, s *oauth.Session, otherRotated bool) string {
	tok := s.AccessToken
	if otherRotated || tok == "" {
		if fresh, err := k.opt.Store.LoadSession(ctx, k.opt.Profile, AccessToken); err == nil && fresh != nil {
			tok = fresh.AccessToken
		}
	}
	if tok == "" {
		return ""
	}
	s.AccessToken = tok
	k.mu.Lock()
	k.setSessionLocked(s)
	if otherRotated && s.LastFailure == nil {
		k.phase, k.reason, k.attempts, k.next = Valid, "", 0, time.Time{}
	}
	k.mu.Unlock()
	k.publish()
	return tok
}

// retryAfter is the server's Retry-After as persisted by any process, if
// it is still in the future; zero otherwise.
func retryAfter(s *oauth.Session, now time.Time) time.Time {
	if f := s.LastFailure; f != nil && f.RetryAfter.After(now) {
		return f.RetryAfter
	}
	return time.Time{}
}

// deferred answers a refresh that the server's Retry-After forbids for now.
func (k *Keeper) deferred(trigger Trigger, until time.Time, start time.Time) error {
	err := &oauth.Error{Op: "refresh", Kind: oauth.KindTransient,
		Msg: "the account server asked for no new request before " + until.UTC().Format(time.RFC1123) + "; Token Desk tries again then"}
	k.mu.Lock()
	if k.phase != Retrying {
		k.phase, k.reason = Retrying, err.Human()
	}
	k.next = later(k.next, until)
	k.mu.Unlock()
	k.record(Activity{Action: "refresh", Trigger: string(trigger), Outcome: "deferred", Message: err.Human()}, start)
	return err
}

// persist saves a rotated session and, once it is safe, makes it current.
// A keyring that refuses the write gets a hand-off or a bounded wait; a
// config file that refuses the metadata is only a warning, because the
// tokens are saved.
func (k *Keeper) persist(ctx context.Context, ns *oauth.Session, trigger Trigger, start time.Time) (string, error) {
	warn, err := k.save(ctx, ns, trigger, start)
	if err != nil {
		return "", err
	}
	now := k.opt.Now().UTC()
	k.mu.Lock()
	k.setSessionLocked(ns)
	k.pending, k.storeErr, k.unusable = nil, warn, ""
	k.phase, k.reason, k.attempts, k.next = Valid, "", 0, time.Time{}
	k.lastEvent = &Event{At: now, Trigger: trigger, OK: true}
	k.mu.Unlock()
	k.record(Activity{Action: "refresh", Trigger: string(trigger), Outcome: "ok"}, start)
	return ns.AccessToken, nil
}

// save writes a rotated session: a refused keyring write gets a hand-off
// or a bounded wait, and then is held in memory (the error says what that
// means); a refused config write is returned as a warning only.
func (k *Keeper) save(ctx context.Context, ns *oauth.Session, trigger Trigger, start time.Time) (warn string, err error) {
	err = k.opt.Store.SaveSession(ctx, k.opt.Profile, ns)
	handed := false
	if err != nil && !isMetaOnly(err) {
		if handed = k.handOff(ctx, ns, err, trigger, start); !handed {
			err = k.waitForWrite(ctx, ns, err)
		}
	}
	if err != nil && !handed && !isMetaOnly(err) {
		return "", k.hold(ns, trigger, start, err)
	}
	if isMetaOnly(err) {
		warn = err.Error() + "; other Token Desk processes may show old times until the next refresh"
		k.record(Activity{Action: "store", Trigger: string(trigger), Outcome: "storage_error", Message: warn}, start)
	}
	return warn, nil
}

// rescue saves the rotated refresh token of a refresh answer that was
// otherwise unusable (the server may have rotated already), then handles
// the failure as any other: the next attempt uses the new refresh token.
func (k *Keeper) rescue(ctx context.Context, ns *oauth.Session, trigger Trigger, cause error, start time.Time) error {
	ns = ns.Clone()
	ns.Dead, ns.DiedAt = "", time.Time{}
	ns.LastFailure = failureOf(k.opt.Now(), cause)
	warn, err := k.save(ctx, ns, trigger, start)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.storeErr = warn
	k.mu.Unlock()
	return k.refreshFailed(ctx, ns, trigger, cause, start)
}

func isMetaOnly(err error) bool {
	var me *MetaError
	return errors.As(err, &me)
}

// handOff passes a session the keyring refused to a running Token Desk, if
// Options.HandOff is set and it takes it.
func (k *Keeper) handOff(ctx context.Context, ns *oauth.Session, cause error, trigger Trigger, start time.Time) bool {
	if k.opt.HandOff == nil {
		return false
	}
	if herr := k.opt.HandOff(ctx, k.opt.Profile, ns.Clone()); herr != nil {
		k.record(Activity{Action: "store", Trigger: string(trigger), Outcome: "storage_error",
			Message: "the keyring refused the new refresh token (" + cause.Error() + "), and handing it to the running Token Desk failed: " + herr.Error()}, start)
		return false
	}
	k.record(Activity{Action: "store", Trigger: string(trigger), Outcome: "handed_off",
		Message: "the keyring refused the new refresh token (" + cause.Error() + "); the running Token Desk took it and saves it"}, start)
	return true
}

// waitForWrite retries a refused write of a rotated session for up to
// Options.PendingWriteWait, telling OnPendingWrite once. It returns nil (or
// a *MetaError) once the tokens are saved, or the last failure.
func (k *Keeper) waitForWrite(ctx context.Context, ns *oauth.Session, first error) error {
	wait := k.opt.PendingWriteWait
	if wait < 0 {
		return first
	}
	msg := fmt.Sprintf("the keyring refused the new refresh token (%v); unlock the keyring now: Token Desk is waiting up to %s so the new refresh token is not lost", first, wait)
	k.mu.Lock()
	k.storeErr = msg
	k.mu.Unlock()
	k.publish()
	if k.opt.OnPendingWrite != nil {
		k.opt.OnPendingWrite(msg)
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wait)
	defer cancel()
	err, step := first, 250*time.Millisecond
	for {
		t := time.NewTimer(step)
		select {
		case <-wctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		if err = k.opt.Store.SaveSession(wctx, k.opt.Profile, ns); err == nil || isMetaOnly(err) {
			return err
		}
		step = min(2*step, 5*time.Second)
	}
}

// hold keeps a rotated session that could not be saved in memory, so that a
// long-running process retries the write on every Check, and says what
// that means for a process about to exit.
func (k *Keeper) hold(ns *oauth.Session, trigger Trigger, start time.Time, err error) error {
	now := k.opt.Now()
	var msg string
	var out error
	if k.opt.PendingWriteWait < 0 {
		msg = "the new refresh token could not be saved (" + err.Error() + "); Token Desk holds it in memory and keeps trying: do not quit"
		out = fmt.Errorf("save the rotated refresh token: %w", err)
	} else {
		msg = fmt.Sprintf("the keyring refused the new refresh token for %s (%v); the account server no longer accepts the stored one, so this session ends when this process exits: log in again once the keyring works", k.opt.PendingWriteWait, err)
		out = fmt.Errorf("%w: %s: %w", ErrRotatedTokenLost, msg, err)
	}
	k.mu.Lock()
	k.pending, k.storeErr = ns, msg
	k.phase, k.reason, k.next = Retrying, msg, now.Add(k.opt.MinBackoff)
	k.lastEvent = &Event{At: now.UTC(), Trigger: trigger, OK: false, Message: msg}
	k.mu.Unlock()
	k.record(Activity{Action: "refresh", Trigger: string(trigger), Outcome: "storage_error", Message: msg}, start)
	return out
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
		err = fmt.Errorf("wait for another Token Desk process using %q: %w", k.opt.Profile, err)
		k.record(Activity{Action: "store", Trigger: string(TriggerRetry), Outcome: "lock_error", Message: err.Error()}, start)
		return "", err, true
	}
	defer unlock()
	err = k.opt.Store.SaveSession(ctx, k.opt.Profile, p)
	if err != nil && !isMetaOnly(err) {
		k.mu.Lock()
		k.next = k.opt.Now().Add(k.opt.MinBackoff)
		k.mu.Unlock()
		k.record(Activity{Action: "store", Trigger: string(TriggerRetry), Outcome: "storage_error", Message: err.Error()}, start)
		return "", fmt.Errorf("save the rotated refresh token: %w", err), true
	}
	warn := ""
	if err != nil {
		warn = err.Error()
	}
	k.mu.Lock()
	k.pending, k.storeErr = nil, warn
	k.phase, k.reason, k.attempts, k.next = Valid, "", 0, time.Time{}
	k.setSessionLocked(p)
	k.mu.Unlock()
	k.record(Activity{Action: "store", Trigger: string(TriggerRetry), Outcome: "ok", Message: "the rotated refresh token is saved now"}, start)
	if p.AccessValidFor(k.opt.Now(), 0) {
		return p.AccessToken, nil, true
	}
	return "", nil, false
}

// refreshFailed applies the failure policy and persists the failure in the
// session metadata, so every process sees it: a dead refresh token is
// quarantined (no retry loop); transient failures back off; anything else
// waits for the user, slowly retrying. The stored tokens stay untouched.
func (k *Keeper) refreshFailed(ctx context.Context, s *oauth.Session, trigger Trigger, err error, start time.Time) error {
	now := k.opt.Now()
	fail := failureOf(now, err)
	var oe *oauth.Error
	a := Activity{Action: "refresh", Trigger: string(trigger), Outcome: fail.Kind, Message: err.Error()}
	if errors.As(err, &oe) {
		a.Code, a.Description = oe.Code, oe.Description
	}
	saved := s.Clone()
	saved.LastFailure = fail
	dead := oauth.KindOf(err) == oauth.KindRelogin
	if dead {
		saved.Dead, saved.DiedAt = fail.Message, now.UTC()
	}
	if serr := k.opt.Store.SaveMeta(ctx, k.opt.Profile, saved); serr != nil {
		a.Message += "; and the failure could not be saved: " + serr.Error()
	}
	k.mu.Lock()
	k.setSessionLocked(saved)
	if dead {
		k.phase, k.reason, k.attempts, k.next = Valid, "", 0, time.Time{} // the state is derived from Dead
	} else {
		k.attempts++
		d := backoff(k.opt.MinBackoff, k.opt.MaxBackoff, k.attempts)
		if !oauth.IsTransient(err) {
			d = k.opt.MaxBackoff
		}
		k.phase, k.reason, k.next = Retrying, fail.Message, later(now.Add(d), fail.RetryAfter)
	}
	k.lastEvent = &Event{At: now.UTC(), Trigger: trigger, OK: false, Message: fail.Message}
	k.mu.Unlock()
	k.record(a, start)
	return err
}
