package keeper

import (
	"reflect"
	"slices"
	"time"
)

// Subscribe calls fn with the current status and then on every change, from
// the goroutine that made the change. Handlers must not block; a UI
// marshals onto its own thread. The returned func unsubscribes.
func (k *Keeper) Subscribe(fn func(Status)) (cancel func()) {
	k.mu.Lock()
	id := k.nextSub
	k.nextSub++
	k.subs[id] = fn
	k.mu.Unlock()
	fn(k.Status())
	return func() {
		k.mu.Lock()
		delete(k.subs, id)
		k.mu.Unlock()
	}
}

// Status returns a snapshot of the session, free of secrets.
func (k *Keeper) Status() Status {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.statusLocked()
}

// statusLocked builds the snapshot: every session fact a window shows, with
// the state and the next attempt from the refresh policy.
func (k *Keeper) statusLocked() Status {
	now := k.opt.Now().UTC()
	st := Status{Profile: k.opt.Profile, Environment: k.opt.Environment, UpdatedAt: now, StorageError: k.storeErr, ActivityVersion: k.actVer}
	s := k.sessionLocked()
	d := k.decideLocked(now, false)
	st.State, st.Reason, st.NextAttempt, st.NextKind = d.State, d.Reason, d.Next, d.NextKind
	if s == nil {
		return st
	}
	pub := s.Clone()
	pub.AccessToken, pub.RefreshToken = "", ""
	st.Session = pub
	st.RefreshIssuedAt = s.RefreshIssuedAt
	st.RefreshExpiresAt, st.RefreshExpirySource = s.RefreshExpiry(k.opt.RefreshLifetime)
	st.Extended, st.ExtendedEvidence = s.Extended(), s.ExtendedEvidence()
	st.LastError = pub.LastFailure
	if k.lastEvent != nil {
		ev := *k.lastEvent
		st.LastRefresh = &ev
	} else if f := s.LastFailure; f != nil {
		st.LastRefresh = &Event{At: f.At, OK: false, Message: f.Message}
	} else if !s.RotatedAt.IsZero() {
		st.LastRefresh = &Event{At: s.RotatedAt, OK: true}
	}
	if f := s.LastFailure; f != nil && (d.State == Retrying || d.State == ReloginRequired) {
		st.ErrorCode = f.Code
	}
	if d.State == ReloginRequired {
		// A dead session has no remaining life to show.
		pub.AccessExpiresAt, pub.AccessIssuedAt = time.Time{}, time.Time{}
		st.DiedAt = s.DiedAt
		if st.DiedAt.IsZero() && !st.RefreshExpiresAt.After(now) {
			st.DiedAt = st.RefreshExpiresAt
		}
		return st
	}
	if s.AccessToken != "" {
		st.AccessIssuedAt, st.AccessExpiresAt = s.AccessIssuedAt, s.AccessExpiresAt
	}
	st.WarnFrom = st.RefreshExpiresAt.Add(-k.opt.WarnHorizon)
	st.ExpiringSoon = !now.Before(st.WarnFrom)
	return st
}

// publish pushes the current status to every subscriber if it changed in a
// way a subscriber can see (the UpdatedAt stamp alone does not count).
func (k *Keeper) publish() {
	k.mu.Lock()
	st := k.statusLocked()
	if sameStatus(st, k.last) {
		k.mu.Unlock()
		return
	}
	k.last = st
	ids := make([]int, 0, len(k.subs))
	for id := range k.subs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	subs := make([]func(Status), 0, len(ids))
	for _, id := range ids {
		subs = append(subs, k.subs[id])
	}
	k.mu.Unlock()
	for _, fn := range subs {
		fn(st)
	}
}

// sameStatus reports whether two snapshots differ only in when they were
// taken. Every other field counts, the activity version included.
func sameStatus(a, b Status) bool {
	a.UpdatedAt = b.UpdatedAt
	return reflect.DeepEqual(a, b)
}
