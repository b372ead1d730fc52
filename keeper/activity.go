package keeper

import (
	"slices"
	"time"
)

// maxActivity is how many activity entries are kept in memory.
const maxActivity = 500

// The states of the stored activity log's one read.
const (
	actUnread = iota
	actReading
	actRead
)

// Activity returns the activity log, newest first, without waiting: a
// window calls it on its UI thread. The first call starts reading the
// stored log in the background and returns what this process recorded so
// far; once the read is done, Status.ActivityVersion increases and the new
// status is published, so a subscriber knows to call Activity again.
func (k *Keeper) Activity() []Activity {
	k.actMu.Lock()
	defer k.actMu.Unlock()
	switch k.actState {
	case actRead:
		return slices.Clone(k.activity)
	case actUnread:
		k.actState = actReading
		go k.readActivity()
	}
	return slices.Clone(k.own)
}

// readActivity reads the stored log once and merges this process's entries
// into it (those whose append failed, and those appended meanwhile).
func (k *Keeper) readActivity() {
	stored, _ := k.opt.Store.ReadActivity(k.opt.Profile, maxActivity)
	k.actMu.Lock()
	seen := make(map[activityKey]bool, len(stored))
	for _, a := range stored {
		seen[keyOf(a)] = true
	}
	all := slices.Clone(stored)
	for _, a := range k.own {
		if !seen[keyOf(a)] {
			all = append(all, a)
		}
	}
	slices.SortStableFunc(all, func(a, b Activity) int { return b.Time.Compare(a.Time) })
	k.activity, k.own, k.actState = trimActivity(all), nil, actRead
	k.actMu.Unlock()
	k.bumpActivity()
}

// activityKey identifies an entry across a round trip through the file.
type activityKey struct {
	at                       int64
	action, trigger, outcome string
}

func keyOf(a Activity) activityKey {
	return activityKey{a.Time.UnixNano(), a.Action, a.Trigger, a.Outcome}
}

func trimActivity(a []Activity) []Activity {
	if len(a) > maxActivity {
		return a[:maxActivity]
	}
	return a
}

// bumpActivity increases the activity version and publishes it.
func (k *Keeper) bumpActivity() {
	k.mu.Lock()
	k.actVer++
	k.mu.Unlock()
	k.publish()
}

// record stamps an entry, keeps it in memory, publishes the new activity
// version together with any state change made before it, and then appends
// the entry to the stored log. Activity entries never carry token values:
// messages come from *oauth.Error and storage errors, which are secret-free
// by construction.
func (k *Keeper) record(a Activity, start time.Time) {
	now := k.opt.Now().UTC()
	a.Time, a.Duration = now, now.Sub(start)
	k.actMu.Lock()
	if k.actState == actRead {
		k.activity = trimActivity(append([]Activity{a}, k.activity...))
	} else {
		k.own = trimActivity(append([]Activity{a}, k.own...))
	}
	k.actMu.Unlock()
	k.bumpActivity()
	_ = k.opt.Store.AppendActivity(k.opt.Profile, a) // kept in memory either way
}
