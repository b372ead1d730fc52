package keeper

import (
	"slices"
	"time"
)

// maxActivity is how many activity entries are kept in memory.
const maxActivity = 500

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

func (k *Keeper) statusLocked() Status {
	now := k.opt.Now().UTC()
	st := Status{Profile: k.opt.Profile, Environment: k.opt.Environment, UpdatedAt: now, StorageError: k.storeErr}
	s := k.cur
	if k.pending != nil {
		s = k.pending
	}
	if s == nil {
		st.State = SignedOut
		return st
	}
	pub := s.Clone()
	pub.AccessToken, pub.RefreshToken = "", ""
	st.Session = pub
	st.RefreshExpiresAt, st.RefreshExpirySource = s.RefreshExpiry(k.opt.RefreshLifetime)
	switch {
	case s.Dead != "":
		st.State, st.Reason, st.ErrorCode = ReloginRequired, s.Dead, k.code
	case !st.RefreshExpiresAt.After(now):
		st.State = ReloginRequired
		st.Reason = "the refresh token expired on " + st.RefreshExpiresAt.Format(time.RFC1123) + "; log in again"
	default:
		st.State, st.Reason, st.ErrorCode = k.phase, k.reason, k.code
		if k.phase == Retrying {
			st.NextAttempt = k.next
		}
		st.ExpiringSoon = st.RefreshExpiresAt.Sub(now) < k.opt.WarnHorizon
		if st.State == Valid {
			st.NextAttempt = k.dueLocked(s)
		}
	}
	return st
}

// setPhase changes the refresh phase and publishes the result.
func (k *Keeper) setPhase(p State, reason, code string) {
	k.mu.Lock()
	k.phase, k.reason, k.code = p, reason, code
	k.mu.Unlock()
	k.publish()
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
	subs := make([]func(Status), 0, len(k.subs))
	ids := make([]int, 0, len(k.subs))
	for id := range k.subs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		subs = append(subs, k.subs[id])
	}
	k.mu.Unlock()
	for _, fn := range subs {
		fn(st)
	}
}

func sameStatus(a, b Status) bool {
	if a.State != b.State || a.Reason != b.Reason || a.ErrorCode != b.ErrorCode || !a.NextAttempt.Equal(b.NextAttempt) ||
		a.ExpiringSoon != b.ExpiringSoon || a.StorageError != b.StorageError || !a.RefreshExpiresAt.Equal(b.RefreshExpiresAt) ||
		(a.Session == nil) != (b.Session == nil) {
		return false
	}
	if a.Session == nil {
		return true
	}
	x, y := a.Session, b.Session
	return x.AccessExpiresAt.Equal(y.AccessExpiresAt) && x.RefreshIssuedAt.Equal(y.RefreshIssuedAt) &&
		x.ConsentedAt.Equal(y.ConsentedAt) && x.Refreshes == y.Refreshes && (x.User == nil) == (y.User == nil) &&
		slices.Equal(x.ReportedScopes, y.ReportedScopes)
}

// Activity returns the activity log, newest first. The first call reads
// the stored log.
func (k *Keeper) Activity() []Activity {
	k.actMu.Lock()
	defer k.actMu.Unlock()
	if !k.activityLoaded {
		stored, _ := k.opt.Store.ReadActivity(k.opt.Profile, maxActivity)
		all := append(slices.Clone(k.unsaved), stored...)
		slices.SortStableFunc(all, func(a, b Activity) int { return b.Time.Compare(a.Time) })
		k.activity, k.unsaved, k.activityLoaded = trimActivity(all), nil, true
	}
	return slices.Clone(k.activity)
}

func trimActivity(a []Activity) []Activity {
	if len(a) > maxActivity {
		return a[:maxActivity]
	}
	return a
}

// record stamps an entry, keeps it in memory and appends it to the store.
// Activity entries never carry token values: messages come from *oauth.Error
// and storage errors, which are secret-free by construction.
func (k *Keeper) record(a Activity, start time.Time) {
	now := k.opt.Now().UTC()
	a.Time, a.Duration = now, now.Sub(start)
	k.actMu.Lock()
	err := k.opt.Store.AppendActivity(k.opt.Profile, a)
	switch {
	case k.activityLoaded:
		k.activity = trimActivity(append([]Activity{a}, k.activity...))
	case err != nil:
		k.unsaved = trimActivity(append([]Activity{a}, k.unsaved...)) // shown when the log is read
	}
	k.actMu.Unlock()
	k.publish()
}
