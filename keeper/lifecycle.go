package keeper

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
)

// msgLoggedOut marks a session whose logout began: if the tokens are gone
// but the metadata could not be removed, the session reads as dead, never
// as valid.
const msgLoggedOut = "this profile was logged out on this computer; log in again"

// Login runs the browser consent (onURL receives the URL to open), fetches
// userinfo once (DocuSign rate-limits it; the answer is cached in the
// session), and stores the new session under the profile lock. It
// overwrites whatever is stored, damaged entries included.
func (k *Keeper) Login(ctx context.Context, onURL func(authURL string)) error {
	return k.LoginWith(ctx, func(ctx context.Context) (*oauth.Session, error) { return k.opt.OAuth.Login(ctx, onURL) })
}

// LoginWith is Login with another way to obtain the consented session, such
// as oauth.Client.LoginManual (a pasted address) or oauth.Client.LoginWith:
// login runs the consent; userinfo, storing and the activity log are
// Login's.
func (k *Keeper) LoginWith(ctx context.Context, login func(ctx context.Context) (*oauth.Session, error)) error {
	start := k.opt.Now()
	s, err := login(ctx)
	if err != nil {
		a := Activity{Action: "login", Trigger: string(TriggerUser), Outcome: oauth.KindOf(err).String(), Message: err.Error()}
		var oe *oauth.Error
		if errors.As(err, &oe) {
			a.Code, a.Description = oe.Code, oe.Description
		}
		k.record(a, start)
		return err
	}
	if s.AccessIssuedAt.IsZero() {
		s.AccessIssuedAt = s.ConsentedAt
	}
	k.record(Activity{Action: "login", Trigger: string(TriggerUser), Outcome: "ok"}, start)
	uiStart := k.opt.Now()
	if u, uerr := k.opt.OAuth.UserInfo(ctx, s.AccessToken); uerr == nil {
		s.User = u
		k.record(Activity{Action: "userinfo", Trigger: string(TriggerLogin), Outcome: "ok"}, uiStart)
	} else {
		k.record(Activity{Action: "userinfo", Trigger: string(TriggerLogin), Outcome: oauth.KindOf(uerr).String(), Message: uerr.Error()}, uiStart)
	}
	unlock, err := k.opt.Store.Lock(ctx, k.opt.Profile)
	if err != nil {
		return fmt.Errorf("wait for another Token Desk process using %q: %w", k.opt.Profile, err)
	}
	defer unlock()
	warn := ""
	if err := k.opt.Store.SaveSession(ctx, k.opt.Profile, s); err != nil {
		k.record(Activity{Action: "store", Trigger: string(TriggerLogin), Outcome: "storage_error", Message: err.Error()}, start)
		if !isMetaOnly(err) {
			return fmt.Errorf("save the new session: %w", err)
		}
		warn = err.Error()
	}
	k.mu.Lock()
	k.pending, k.storeErr, k.attempts, k.next, k.lastEvent = nil, warn, 0, time.Time{}, nil
	k.phase, k.reason = Valid, ""
	k.setSessionLocked(s)
	k.unusable = ""
	k.mu.Unlock()
	k.publish()
	return nil
}

// Logout forgets the session on this computer. It does not revoke consent
// at DocuSign (there is no documented revoke endpoint): the user revokes it
// under their DocuSign profile's Connected Apps.
//
// It first marks the stored metadata as logged out, then deletes the
// tokens and the metadata; a logout that stops half-way leaves a session
// that asks for a login, never one that looks valid without tokens. A
// config file that refuses the first write stops it before anything is
// deleted.
func (k *Keeper) Logout(ctx context.Context) error {
	start := k.opt.Now()
	unlock, err := k.opt.Store.Lock(ctx, k.opt.Profile)
	if err != nil {
		return fmt.Errorf("wait for another Token Desk process using %q: %w", k.opt.Profile, err)
	}
	defer unlock()
	k.mu.Lock()
	cur := k.cur.Clone()
	k.mu.Unlock()
	fail := func(err error) error {
		k.record(Activity{Action: "logout", Trigger: string(TriggerUser), Outcome: "storage_error", Message: err.Error()}, start)
		return err
	}
	if cur != nil && cur.Dead == "" {
		cur.Dead, cur.DiedAt = msgLoggedOut, k.opt.Now().UTC()
		if err := k.opt.Store.SaveMeta(ctx, k.opt.Profile, cur); err != nil {
			return fail(fmt.Errorf("log out: nothing was deleted, because the config file could not be updated: %w", err))
		}
	}
	if err := k.opt.Store.DeleteSession(ctx, k.opt.Profile); err != nil {
		if cur != nil {
			k.mu.Lock()
			k.setSessionLocked(cur)
			k.mu.Unlock()
		}
		return fail(fmt.Errorf("log out: %w", err))
	}
	k.mu.Lock()
	k.pending, k.storeErr, k.lastEvent = nil, "", nil
	k.phase, k.reason, k.attempts, k.next = Valid, "", 0, time.Time{}
	k.setSessionLocked(nil)
	k.mu.Unlock()
	k.record(Activity{Action: "logout", Trigger: string(TriggerUser), Outcome: "ok", Message: "tokens forgotten locally; consent at DocuSign is unchanged"}, start)
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

// decide applies the refresh policy to the keeper's current view.
func (k *Keeper) decideLocked(now time.Time, woke bool) Decision {
	ph := k.phaseLocked()
	ph.Woke = woke
	return Decide(now, k.sessionLocked(), ph, k.pol)
}

// nextWait is how long Run sleeps: until the next due attempt, but never
// longer than CheckEvery (timers run late after a suspend) nor shorter than a
// second (no busy loop when something is overdue and failing).
func (k *Keeper) nextWait() time.Duration {
	k.mu.Lock()
	now := k.opt.Now()
	d := k.decideLocked(now, false)
	k.mu.Unlock()
	wait := k.opt.CheckEvery
	if !d.Next.IsZero() {
		wait = min(wait, d.Next.Sub(now))
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

// Check does what the refresh policy says is due now: retry a pending
// write, refresh an access token about to expire, retry after backoff, or
// keep an extended refresh token alive. It also republishes the status when
// time alone changed it (the ExpiringSoon warning, a refresh token that ran
// out).
func (k *Keeper) Check(ctx context.Context) {
	now := k.opt.Now()
	k.mu.Lock()
	woke := !k.lastCheck.IsZero() && now.Sub(k.lastCheck) > 3*k.opt.CheckEvery
	k.lastCheck = now
	d := k.decideLocked(now, woke)
	k.mu.Unlock()
	k.publish()
	if d.Due {
		_, _ = k.refresh(ctx, d.Trigger, d.MinValid, d.Force)
	}
}

// Adopt takes over a session that another process refreshed but could not
// save (its keyring refused the write; see Options.HandOff). The session is
// saved now or, if that fails too, held in memory and its write retried on
// every Check, exactly like a rotation of this keeper's own. The handing
// process holds the profile lock until Adopt returns (so nobody else can
// use the dead stored token meanwhile); Adopt therefore does not take it.
func (k *Keeper) Adopt(ctx context.Context, s *oauth.Session) error {
	if s == nil || s.RefreshToken == "" {
		return errors.New("adopt a handed-off session: it carries no refresh token")
	}
	start := k.opt.Now()
	s = s.Clone()
	err := k.opt.Store.SaveSession(ctx, k.opt.Profile, s)
	a := Activity{Action: "store", Trigger: string(TriggerRetry), Outcome: "ok",
		Message: "took over the new refresh token from another Token Desk process and saved it"}
	k.mu.Lock()
	k.unusable = ""
	if err == nil || isMetaOnly(err) {
		k.setSessionLocked(s)
		k.pending, k.storeErr = nil, ""
		if err != nil {
			k.storeErr = err.Error()
		}
		k.phase, k.reason, k.attempts, k.next = Valid, "", 0, time.Time{}
	} else {
		k.pending = s
		k.storeErr = "a new refresh token handed over by another Token Desk process could not be saved (" + err.Error() + "); Token Desk holds it in memory and keeps trying: do not quit"
		k.phase, k.reason, k.next = Retrying, k.storeErr, start.Add(k.opt.MinBackoff)
		a.Outcome, a.Message = "storage_error", k.storeErr
	}
	k.mu.Unlock()
	k.record(a, start)
	return nil
}
