package desk

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

const otherKey = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"

// withSession stores a session with tokens for profile name, as a login
// would.
func withSession(t *testing.T, m *Manager, name string) {
	t.Helper()
	b := &keeper.StorageBackend{Config: m.Store(), Secrets: m.Secrets()}
	now := time.Now().UTC()
	s := &oauth.Session{AccessToken: "access-" + name, RefreshToken: "refresh-" + name, AccessExpiresAt: now.Add(time.Hour),
		RequestedScopes: []string{"signature", "extended"}, ConsentedAt: now, RefreshIssuedAt: now}
	if err := b.SaveSession(context.Background(), name, s); err != nil {
		t.Fatal(err)
	}
}

func TestSaveProfileEndsSessionOnServerChange(t *testing.T) {
	base := storage.Profile{Name: "p1", Environment: "demo", IntegrationKey: key}
	for _, tc := range []struct {
		name   string
		change func(p *storage.Profile)
		ends   string // what the notice names; "" keeps the session
	}{
		{"environment", func(p *storage.Profile) { p.Environment = "production" }, "environment"},
		{"base URL", func(p *storage.Profile) { p.Environment = "https://account.example.com" }, "environment"},
		{"integration key", func(p *storage.Profile) { p.IntegrationKey = otherKey }, "integration key"},
		{"both", func(p *storage.Profile) { p.Environment, p.IntegrationKey = "production", otherKey }, "environment and integration key"},
		{"ports only", func(p *storage.Profile) { p.Ports = []int{9001} }, ""},
		{"scopes only", func(p *storage.Profile) { p.Scopes = []string{"signature"} }, ""},
		{"same values", func(*storage.Profile) {}, ""},
		{"same key in upper case", func(p *storage.Profile) { p.IntegrationKey = strings.ToUpper(key) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			m, sec := newTestManager(t)
			if err := m.SaveProfile(ctx, base, ""); err != nil {
				t.Fatal(err)
			}
			withSession(t, m, "p1")
			p := base
			tc.change(&p)
			notice, err := m.SaveProfileNotice(ctx, p, "")
			if err != nil {
				t.Fatal(err)
			}
			c, _ := m.Config()
			_, rtErr := sec.Get("p1", storage.KeyRefreshToken)
			_, atErr := sec.Get("p1", storage.KeyAccessToken)
			ended := c.Sessions["p1"] == nil && errors.Is(rtErr, storage.ErrNotFound) && errors.Is(atErr, storage.ErrNotFound)
			if ended != (tc.ends != "") {
				t.Fatalf("session ended = %v, want %v (notice %q)", ended, tc.ends != "", notice)
			}
			if tc.ends != "" && (!strings.Contains(notice, "different "+tc.ends) || !strings.Contains(notice, "log in again")) {
				t.Errorf("notice = %q", notice)
			}
			if tc.ends == "" && notice != "" {
				t.Errorf("notice without an ended session: %q", notice)
			}
			k, err := m.Keeper(ctx, "p1")
			if err != nil {
				t.Fatal(err)
			}
			if st := k.Status(); (st.State == keeper.SignedOut) != (tc.ends != "") {
				t.Errorf("keeper state after the change: %s", st.State)
			}
		})
	}
}

func TestRemoveProfileWaitsForTheRefreshLock(t *testing.T) {
	ctx := context.Background()
	m, sec := newTestManager(t)
	if err := m.SaveProfile(ctx, storage.Profile{Name: "p1", Environment: "demo", IntegrationKey: key}, "secret"); err != nil {
		t.Fatal(err)
	}
	withSession(t, m, "p1")
	if err := m.Store().AppendActivity("p1", keeper.Activity{Time: time.Now(), Action: "login", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	b := &keeper.StorageBackend{Config: m.Store(), Secrets: m.Secrets()}
	unlock, err := b.Lock(ctx, "p1") // a refresh in flight in another process
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.RemoveProfile(ctx, "p1") }()
	select {
	case err := <-done:
		t.Fatalf("RemoveProfile finished while a refresh held the lock: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	// The refresh finishes and writes its rotated tokens, then unlocks.
	withSession(t, m, "p1")
	unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sec.Len() != 0 {
		t.Errorf("%d secrets left after remove", sec.Len())
	}
	c, _ := m.Config()
	if len(c.Profiles) != 0 || c.Sessions["p1"] != nil {
		t.Errorf("config after remove: %+v", c)
	}
	if _, err := os.Stat(m.Store().ActivityPath("p1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the activity log survived: %v", err)
	}
	// Re-adding the profile does not resurrect the session.
	if err := m.SaveProfile(ctx, storage.Profile{Name: "p1", Environment: "demo", IntegrationKey: key}, ""); err != nil {
		t.Fatal(err)
	}
	if k, err := m.Keeper(ctx, "p1"); err != nil || k.Status().State != keeper.SignedOut {
		t.Fatalf("re-added profile: %v %v", err, k.Status().State)
	}
	if err := m.RemoveProfile(ctx, "nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("removing a missing profile: %v", err)
	}
}
