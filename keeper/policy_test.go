package keeper_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sess is a session issued at t0 whose access token lives life.
func sess(life time.Duration, extended bool, mut ...func(*oauth.Session)) *oauth.Session {
	s := &oauth.Session{AccessToken: "a", RefreshToken: "r", RequestedScopes: []string{"signature"},
		ConsentedAt: t0, RefreshIssuedAt: t0, AccessIssuedAt: t0, AccessExpiresAt: t0.Add(life)}
	if extended {
		s.RequestedScopes = append(s.RequestedScopes, oauth.ScopeExtended)
	}
	for _, m := range mut {
		m(s)
	}
	return s
}

func TestDecide(t *testing.T) {
	pol := keeper.Policy{Lead: 10 * time.Minute, KeepAlive: 24 * time.Hour, RefreshLifetime: 30 * 24 * time.Hour, MinBackoff: 5 * time.Second}
	failed := func(retryAfter time.Time) func(*oauth.Session) {
		return func(s *oauth.Session) {
			s.LastFailure = &oauth.Failure{At: t0.Add(time.Hour), Kind: "transient", Code: "", Status: 503,
				Message: "the account server had a problem", RetryAfter: retryAfter}
		}
	}
	for _, tc := range []struct {
		name      string
		now       time.Time
		s         *oauth.Session
		ph        keeper.Phase
		state     keeper.State
		due       bool
		trigger   keeper.Trigger
		force     bool
		next      time.Time
		kind      keeper.NextKind
		reasonHas string
	}{
		{name: "signed out", now: t0, s: nil, state: keeper.SignedOut},
		{name: "fresh token waits for its lead", now: t0.Add(time.Hour), s: sess(8*time.Hour, false),
			state: keeper.Valid, next: t0.Add(8*time.Hour - 10*time.Minute), kind: keeper.NextRefresh},
		{name: "due refresh", now: t0.Add(8*time.Hour - 5*time.Minute), s: sess(8*time.Hour, false),
			state: keeper.Valid, due: true, trigger: keeper.TriggerSchedule, next: t0.Add(8*time.Hour - 10*time.Minute), kind: keeper.NextRefresh},
		{name: "due refresh after a wake", now: t0.Add(9 * time.Hour), s: sess(8*time.Hour, true), ph: keeper.Phase{Woke: true},
			state: keeper.Valid, due: true, trigger: keeper.TriggerWake, next: t0.Add(8*time.Hour - 10*time.Minute), kind: keeper.NextRefresh},
		{name: "keep-alive of an extended token", now: t0.Add(25 * time.Hour), s: sess(72*time.Hour, true),
			state: keeper.Valid, due: true, trigger: keeper.TriggerKeepAlive, force: true, next: t0.Add(24 * time.Hour), kind: keeper.NextKeepAlive},
		{name: "no keep-alive without extended", now: t0.Add(25 * time.Hour), s: sess(72*time.Hour, false),
			state: keeper.Valid, next: t0.Add(72*time.Hour - 10*time.Minute), kind: keeper.NextRefresh},
		{name: "retry waits for its backoff", now: t0.Add(time.Hour), s: sess(8*time.Hour, false, failed(time.Time{})),
			ph:    keeper.Phase{State: keeper.Retrying, Reason: "offline", RetryAt: t0.Add(time.Hour + time.Minute)},
			state: keeper.Retrying, next: t0.Add(time.Hour + time.Minute), kind: keeper.NextRetry, reasonHas: "offline"},
		{name: "retry after its backoff", now: t0.Add(2 * time.Hour), s: sess(8*time.Hour, false, failed(time.Time{})),
			ph:    keeper.Phase{State: keeper.Retrying, Reason: "offline", RetryAt: t0.Add(time.Hour + time.Minute)},
			state: keeper.Retrying, due: true, trigger: keeper.TriggerRetry, force: true, next: t0.Add(time.Hour + time.Minute), kind: keeper.NextRetry},
		{name: "Retry-After is honoured over the backoff", now: t0.Add(2 * time.Hour), s: sess(8*time.Hour, false, failed(t0.Add(3*time.Hour))),
			ph:    keeper.Phase{State: keeper.Retrying, RetryAt: t0.Add(time.Hour + time.Minute)},
			state: keeper.Retrying, next: t0.Add(3 * time.Hour), kind: keeper.NextRetry},
		{name: "Retry-After holds back a due refresh", now: t0.Add(8 * time.Hour), s: sess(8*time.Hour, false, failed(t0.Add(9*time.Hour))),
			state: keeper.Retrying, next: t0.Add(9 * time.Hour), kind: keeper.NextRetry, reasonHas: "had a problem"},
		{name: "another process's failure reads as retrying", now: t0.Add(time.Hour), s: sess(8*time.Hour, false, failed(time.Time{})),
			state: keeper.Retrying, next: t0.Add(time.Hour + 5*time.Second), kind: keeper.NextRetry, reasonHas: "had a problem"},
		{name: "dead session", now: t0.Add(time.Hour), s: sess(8*time.Hour, true, func(s *oauth.Session) { s.Dead = "revoked; log in again" }),
			state: keeper.ReloginRequired, reasonHas: "revoked"},
		{name: "refresh token expired", now: t0.Add(31 * 24 * time.Hour), s: sess(8*time.Hour, false),
			state: keeper.ReloginRequired, reasonHas: "expired"},
		{name: "refresh token missing", now: t0.Add(time.Hour), s: sess(8*time.Hour, true), ph: keeper.Phase{Unusable: "no refresh token is stored"},
			state: keeper.ReloginRequired, reasonHas: "no refresh token"},
		{name: "pending write is retried", now: t0.Add(time.Hour), s: sess(8*time.Hour, true),
			ph:    keeper.Phase{Pending: true, Reason: "keyring locked", RetryAt: t0.Add(time.Hour)},
			state: keeper.Retrying, due: true, trigger: keeper.TriggerRetry, next: t0.Add(time.Hour), kind: keeper.NextRetry, reasonHas: "keyring"},
		{name: "refreshing schedules nothing", now: t0.Add(time.Hour), s: sess(8*time.Hour, true), ph: keeper.Phase{State: keeper.Refreshing},
			state: keeper.Refreshing},
		{name: "30 s token: lead is a quarter of its life", now: t0.Add(10 * time.Second), s: sess(30*time.Second, true),
			state: keeper.Valid, next: t0.Add(22500 * time.Millisecond), kind: keeper.NextRefresh},
		{name: "2 min token: due after 90 s, not before", now: t0.Add(90 * time.Second), s: sess(2*time.Minute, false),
			state: keeper.Valid, due: true, trigger: keeper.TriggerSchedule, next: t0.Add(90 * time.Second), kind: keeper.NextRefresh},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := keeper.Decide(tc.now, tc.s, tc.ph, pol)
			if d.State != tc.state || d.Due != tc.due || !d.Next.Equal(tc.next) || d.NextKind != tc.kind {
				t.Fatalf("state %s due %v next %s kind %q; want %s %v %s %q", d.State, d.Due, d.Next, d.NextKind, tc.state, tc.due, tc.next, tc.kind)
			}
			if tc.due && (d.Trigger != tc.trigger || d.Force != tc.force) {
				t.Fatalf("trigger %s force %v; want %s %v", d.Trigger, d.Force, tc.trigger, tc.force)
			}
			if tc.s != nil && !d.Next.IsZero() && d.Next.Before(tc.s.AccessIssuedAt) {
				t.Fatalf("next attempt %s before the token was issued", d.Next)
			}
			if !strings.Contains(d.Reason, tc.reasonHas) {
				t.Fatalf("reason %q, want it to mention %q", d.Reason, tc.reasonHas)
			}
		})
	}
}

func TestValidityScalesWithLifetime(t *testing.T) {
	pol := keeper.Policy{Lead: 10 * time.Minute}
	for _, tc := range []struct {
		name         string
		s            *oauth.Session
		asked        time.Duration
		capped, lead time.Duration
		lifetime     time.Duration
	}{
		{"8 h token keeps 5 min", sess(8*time.Hour, true), 5 * time.Minute, 5 * time.Minute, 10 * time.Minute, 8 * time.Hour},
		{"2 min demo token", sess(2*time.Minute, true), 5 * time.Minute, time.Minute, 30 * time.Second, 2 * time.Minute},
		{"30 s token", sess(30*time.Second, true), 5 * time.Minute, 15 * time.Second, 7500 * time.Millisecond, 30 * time.Second},
		{"unknown issue time falls back to 8 h", sess(30*time.Second, true, func(s *oauth.Session) { s.AccessIssuedAt = time.Time{} }),
			5 * time.Hour, 4 * time.Hour, 10 * time.Minute, keeper.FallbackAccessLifetime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := keeper.CapValidity(tc.s, tc.asked); got != tc.capped {
				t.Errorf("CapValidity = %s, want %s", got, tc.capped)
			}
			if got := pol.LeadFor(tc.s); got != tc.lead {
				t.Errorf("LeadFor = %s, want %s", got, tc.lead)
			}
			if got := keeper.AccessLifetime(tc.s); got != tc.lifetime {
				t.Errorf("AccessLifetime = %s, want %s", got, tc.lifetime)
			}
		})
	}
}
