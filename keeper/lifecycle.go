package keeper

import (
	"context"
	"fmt"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
)

// Login runs the browser consent (onURL receives the URL to open), fetches
// userinfo once (DocuSign rate-limits it; the answer is cached in the
// session), and stores the new session under the profile lock.
func (k *Keeper) Login(ctx context.Context, onURL func(authURL string)) error {
	start := k.opt.Now()
	s, err := k.opt.OAuth.Login(ctx, onURL)
	if err != nil {
		a := Activity{Action: "login", Trigger: "user", Outcome: oauth.KindOf(err).String(), Message: err.Error()}
		if oe, ok := err.(*oauth.Error); ok {
			a.Code, a.Description = oe.Code, oe.Description
		}
		k.record(a, start)
		return err
	}
	k.record(Activity{Action: "login", Trigger: "user", Outcome: "ok"}, start)
	uiStart := k.opt.Now()
	if u, uerr := k.opt.OAuth.UserInfo(ctx, s.AccessToken); uerr == nil {
		s.User = u
		k.record(Activity{Action: "userinfo", Trigger: "login", Outcome: "ok"}, uiStart)
	} else {
		k.record(Activity{Action: "userinfo", Trigger: "login", Outcome: oauth.KindOf(uerr).String(), Message: uerr.Error()}, uiStart)
	}
	unlock, err := k.opt.Store.Lock(ctx, k.opt.Profile)
	if err != nil {
		return fmt.Errorf("wait for another Token Desk process using %q: %w", k.opt.Profile, err)
	}
	defer unlock()
	if err := k.opt.Store.SaveSession(ctx, k.opt.Profile, s); err != nil {
		k.record(Activity{Action: "store", Trigger: "login", Outcome: "storage_error", Message: err.Error()}, start)
		return fmt.Errorf("save the new session: %w", err)
	}
	k.mu.Lock()
	k.pending, k.storeErr, k.attempts, k.next = nil, "", 0, time.Time{}
	k.setSessionLocked(s)
	k.mu.Unlock()
	k.setPhase(Valid, "", "")
	return nil
}

// Logout forgets the session on this computer. It does not revoke consent
// at DocuSign (there is no documented revoke endpoint): the user revokes it
// under their DocuSign profile's Connected Apps.
func (k *Keeper) Logout(ctx context.Context) error {
	start := k.opt.Now()
	unlock, err := k.opt.Store.Lock(ctx, k.opt.Profile)
	if err != nil {
		return err
	}
	defer unlock()
	if err := k.opt.Store.DeleteSession(ctx, k.opt.Profile); err != nil {
		k.record(Activity{Action: "logout", Trigger: "user", Outcome: "storage_error", Message: err.Error()}, start)
		return err
	}
	k.mu.Lock()
	k.pending, k.storeErr = nil, ""
	k.setSessionLocked(nil)
	k.mu.Unlock()
	k.setPhase(Valid, "", "")
	k.record(Activity{Action: "logout", Trigger: "user", Outcome: "ok", Message: "tokens forgotten locally; consent at DocuSign is unchanged"}, start)
	return nil
}

// Run keeps the session alive until ctx ends: it checks the wall clock every
// CheckEvery (so a laptop waking from sleep refreshes at once instead of
// trusting a late timer), and whenever Poke is called.
func (k *Keeper) Run(ctx context.Context) {
	t := time.NewTimer(k.opt.CheckEvery)
	defer t.Stop()
	for {
		k.Check(ctx)
		t.Reset(k.nextWait())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-k.poke:
		}
	}
}

// nextWait is how long Run sleeps: until the next due refresh, but never
// longer than CheckEvery (timers run late after a suspend) nor shorter than a
// second (no busy loop when something is overdue and failing).
func (k *Keeper) nextWait() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	wait := k.opt.CheckEvery
	if k.cur != nil && k.cur.Dead == "" {
		due := k.dueLocked(k.cur)
		if k.phase == Retrying {
			due = k.next
		}
		if d := due.Sub(k.opt.Now()); d < wait {
			wait = d
		}
	}
	return max(wait, time.Second)
}

// Poke asks Run to check now (window focus, network back, resume).
func (k *Keeper) Poke() {
	select {
	case k.poke <- struct{}{}:
	default:
	}
}

// Check does what is due now: retry a pending write, refresh an access token
// about to expire, retry after backoff, or keep an extended refresh token
// alive. It also republishes the status when time alone changed it (the
// ExpiringSoon warning, a refresh token that ran out).
func (k *Keeper) Check(ctx context.Context) {
	now := k.opt.Now()
	k.mu.Lock()
	trigger := "schedule"
	if !k.lastCheck.IsZero() && now.Sub(k.lastCheck) > 3*k.opt.CheckEvery {
		trigger = "wake"
	}
	k.lastCheck = now
	s, pending, phase, next := k.cur, k.pending, k.phase, k.next
	due := time.Time{}
	if s != nil {
		due = k.dueLocked(s)
	}
	k.mu.Unlock()
	k.publish()

	switch {
	case pending != nil:
		_, _ = k.refresh(ctx, "retry", 0, false)
	case s == nil || s.Dead != "":
		return
	case phase == Retrying:
		if !now.Before(next) {
			_, _ = k.refresh(ctx, "retry", k.opt.Lead, false)
		}
	case !now.Before(s.AccessExpiresAt.Add(-k.opt.Lead)):
		_, _ = k.refresh(ctx, trigger, k.opt.Lead, false)
	case s.Extended() && !now.Before(due):
		_, _ = k.refresh(ctx, "keep-alive", 0, true)
	}
}

// dueLocked returns when the next scheduled refresh is due: the access
// token's lead time, or the keep-alive of an extended refresh token,
// whichever comes first.
func (k *Keeper) dueLocked(s *oauth.Session) time.Time {
	due := s.AccessExpiresAt.Add(-k.opt.Lead)
	if s.Extended() {
		if ka := s.RefreshIssuedAt.Add(k.opt.KeepAlive); ka.Before(due) {
			due = ka
		}
	}
	return due
}
