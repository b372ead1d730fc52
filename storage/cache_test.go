package storage

import (
	"context"
	"os"
	"testing"

	"github.com/tokendesk/tokendesk/oauth"
)

func TestLoadCacheNeverServesStaleOrShared(t *testing.T) {
	dir := t.TempDir()
	a, b := Open(dir), Open(dir) // two processes' views of one config dir
	ctx := context.Background()
	add := func(s *Store, name string) {
		t.Helper()
		err := s.Update(ctx, func(c *Config) error {
			c.Profiles = append(c.Profiles, Profile{Name: name, Environment: "demo", IntegrationKey: "7c2b8d3e-5f4a-4e1b-9c6d-2a1f0e3b4c5d"})
			c.Sessions[name] = &oauth.Session{RequestedScopes: []string{"signature"}}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(a, "one")
	c1, err := a.Load()
	if err != nil || len(c1.Profiles) != 1 {
		t.Fatalf("load: %v %+v", err, c1)
	}
	// A caller's changes never reach the cache.
	c1.Profiles[0].Name = "mutated"
	c1.Sessions["one"].RequestedScopes[0] = "mutated"
	c2, _ := a.Load()
	if c2.Profiles[0].Name != "one" || c2.Sessions["one"].RequestedScopes[0] != "signature" {
		t.Fatal("a loaded config shares memory with the cache")
	}
	// Another process's write is seen.
	add(b, "two")
	if c3, _ := a.Load(); len(c3.Profiles) != 2 {
		t.Fatalf("a write by another store was not seen: %d profiles", len(c3.Profiles))
	}
	// So is a hand edit in place (same file, new content).
	if err := os.WriteFile(a.Path(), []byte(`{"version":1,"profiles":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if c4, _ := a.Load(); len(c4.Profiles) != 0 {
		t.Fatal("an in-place edit was not seen")
	}
	// And a file broken by hand is reported, not served from the cache.
	if err := os.WriteFile(a.Path(), []byte(`{"version":1,,}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Load(); err == nil {
		t.Fatal("a damaged file was served from the cache")
	}
}
