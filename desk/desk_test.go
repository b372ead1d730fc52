package desk

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

const key = "7c2b8d3e-5f4a-4e1b-9c6d-2a1f0e3b4c5d"

func newTestManager(t *testing.T) (*Manager, *storage.MemorySecrets) {
	sec := storage.NewMemorySecrets()
	return NewManager(Options{Store: storage.Open(t.TempDir()), Secrets: sec}), sec
}

func TestSaveProfileSecretLifecycle(t *testing.T) {
	ctx := context.Background()
	m, sec := newTestManager(t)
	if err := m.SaveProfile(ctx, storage.Profile{Name: "prod", Environment: "production", IntegrationKey: key}, "s3cret"); err != nil {
		t.Fatal(err)
	}
	if v, _ := sec.Get("prod", storage.KeyClientSecret); v != "s3cret" {
		t.Fatal("the secret was not stored in the keyring")
	}
	p, _ := m.Resolve("prod")
	if !p.HasSecret {
		t.Fatal("HasSecret not recorded")
	}
	cl, err := m.Client(p)
	if err != nil || cl.Config().ClientSecret != "s3cret" || cl.Config().Public() {
		t.Fatalf("client: %v", err)
	}
	// Saving again with no secret but HasSecret keeps it; dropping HasSecret deletes it.
	if err := m.SaveProfile(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	if v, _ := sec.Get("prod", storage.KeyClientSecret); v != "s3cret" {
		t.Fatal("an edit without a new secret lost the stored one")
	}
	p.HasSecret = false
	if err := m.SaveProfile(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := sec.Get("prod", storage.KeyClientSecret); !errors.Is(err, storage.ErrNotFound) {
		t.Fatal("switching to a public client kept the old secret")
	}
	if err := m.RemoveProfile(ctx, "prod"); err != nil || len(m.List()) != 0 || sec.Len() != 0 {
		t.Fatalf("remove: %v, %d profiles, %d secrets", err, len(m.List()), sec.Len())
	}
}

func TestResolveNeedsNameWithSeveralProfiles(t *testing.T) {
	ctx := context.Background()
	m, _ := newTestManager(t)
	if _, err := m.Resolve(""); err == nil {
		t.Fatal("resolved a profile when none exists")
	}
	for _, n := range []string{"a", "b"} {
		if err := m.SaveProfile(ctx, storage.Profile{Name: n, Environment: "demo", IntegrationKey: key}, ""); err != nil {
			t.Fatal(err)
		}
	}
	_, err := m.Resolve("")
	if err == nil || !strings.Contains(err.Error(), "a, b") || !strings.Contains(err.Error(), "-p NAME") {
		t.Fatalf("got %v", err)
	}
	if p, err := m.Resolve("b"); err != nil || p.Name != "b" {
		t.Fatalf("explicit name: %v", err)
	}
}

func TestSaveProfileRefusesInvalid(t *testing.T) {
	m, sec := newTestManager(t)
	err := m.SaveProfile(context.Background(), storage.Profile{Name: "x", Environment: "demo", IntegrationKey: "not-a-guid"}, "s")
	if err == nil || sec.Len() != 0 || len(m.List()) != 0 {
		t.Fatalf("an invalid profile was stored (err %v)", err)
	}
}

// TestPublicProfileNeedsNoKeyring: adding a public client writes no secret,
// so it must work while the keyring is unreachable.
func TestPublicProfileNeedsNoKeyring(t *testing.T) {
	m, sec := newTestManager(t)
	sec.SetFail(errors.New("keyring unreachable"))
	if err := m.SaveProfile(context.Background(), storage.Profile{Name: "pub", Environment: "demo", IntegrationKey: key}, ""); err != nil {
		t.Fatalf("public profile: %v", err)
	}
	if err := m.SaveProfile(context.Background(), storage.Profile{Name: "conf", Environment: "demo", IntegrationKey: key}, "s"); err == nil {
		t.Fatal("a confidential profile was saved although its secret could not be stored")
	} else if len(m.List()) != 1 {
		t.Fatal("the profile was saved without its secret")
	}
}

// TestLazyClientRetriesAfterFailure: the client (and its client secret) is
// built on first use only, and a failed build is retried, not cached.
func TestLazyClientRetriesAfterFailure(t *testing.T) {
	calls := 0
	l := &lazyClient{build: func() (*oauth.Client, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("keyring locked")
		}
		return oauth.NewClient(oauth.Config{IntegrationKey: key})
	}}
	if calls != 0 {
		t.Fatal("built before first use")
	}
	if _, err := l.UserInfo(context.Background(), ""); err == nil || err.Error() != "keyring locked" {
		t.Fatalf("first use: %v", err)
	}
	if cl, err := l.get(); err != nil || cl == nil || calls != 2 {
		t.Fatalf("retry: %v after %d builds", err, calls)
	}
	if _, _ = l.get(); calls != 2 {
		t.Fatal("a built client was not reused")
	}
}

// TestKeepAliveStartsExistingKeepers: the window creates the shown
// profile's keeper before KeepAlive runs; that keeper must get its
// background loop too, and exactly one.
func TestKeepAliveStartsExistingKeepers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, _ := newTestManager(t)
	for _, n := range []string{"a", "b"} {
		if err := m.SaveProfile(ctx, storage.Profile{Name: n, Environment: "demo", IntegrationKey: key}, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Keeper(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	started := len(m.stops)
	m.mu.Unlock()
	if started != 0 {
		t.Fatal("a loop started before KeepAlive")
	}
	m.KeepAlive(ctx)
	m.KeepAlive(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.stops) != 2 || m.stops["a"] == nil || m.stops["b"] == nil {
		t.Fatalf("loops running for %d profiles, want a and b", len(m.stops))
	}
}
