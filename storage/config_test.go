package storage

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tokendesk/tokendesk/oauth"
)

func TestResolveProfile(t *testing.T) {
	one := &Config{Profiles: []Profile{testProfile("a")}}
	two := &Config{Profiles: []Profile{testProfile("a"), testProfile("b")}}
	twoCur := &Config{Profiles: []Profile{testProfile("a"), testProfile("b")}, Settings: Settings{CurrentProfile: "b"}}
	staleCur := &Config{Profiles: []Profile{testProfile("a")}, Settings: Settings{CurrentProfile: "gone"}}
	tests := []struct {
		name    string
		c       *Config
		arg     string
		want    string
		wantErr string
	}{
		{"named", two, "b", "b", ""},
		{"only one", one, "", "a", ""},
		{"current", twoCur, "", "b", ""},
		{"named beats current", twoCur, "a", "a", ""},
		{"stale current, one profile", staleCur, "", "a", ""},
		{"several", two, "", "", "several profiles exist (a, b); choose one with -p NAME"},
		{"unknown", two, "c", "", `profile "c" does not exist (profiles: a, b)`},
		{"none", &Config{}, "", "", "no profiles are configured yet"},
		{"none named", &Config{}, "x", "", "no profiles are configured yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.c.ResolveProfile(tt.arg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrNoProfile) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || p.Name != tt.want {
				t.Fatalf("got %v %v, want %s", p, err, tt.want)
			}
		})
	}
}

func TestProfilePointsIntoConfig(t *testing.T) {
	c := NewConfig()
	c.Profiles = append(c.Profiles, testProfile("a"), testProfile("b"))
	ptr, _ := c.Profile("b")
	ptr.HasSecret = true
	if !c.Profiles[1].HasSecret {
		t.Fatal("Profile does not point into the config")
	}
}

func TestRemoveProfileData(t *testing.T) {
	tests := []struct {
		name        string
		remove      string
		current     string
		wantExisted bool
		wantCurrent string
		wantNames   string
	}{
		{"the current one", "a", "a", true, "b", "b,c"},
		{"another one", "b", "a", true, "a", "a,c"},
		{"the last of the list", "c", "c", true, "a", "a,b"},
		{"a missing one", "x", "a", false, "a", "a,b,c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := Open(t.TempDir())
			must(t, s.Update(ctx, func(c *Config) error {
				for _, n := range []string{"a", "b", "c"} {
					c.Profiles = append(c.Profiles, testProfile(n))
					c.Sessions[n] = &oauth.Session{RequestedScopes: []string{"signature"}}
				}
				c.Settings.CurrentProfile = tt.current
				return nil
			}))
			for _, n := range []string{"a", "b", "c", tt.remove} {
				must(t, s.AppendActivity(n, testEntry{N: 1}))
			}
			existed, err := s.RemoveProfileData(ctx, tt.remove)
			must(t, err)
			c, err := s.Load()
			must(t, err)
			if existed != tt.wantExisted || c.Settings.CurrentProfile != tt.wantCurrent || strings.Join(c.ProfileNames(), ",") != tt.wantNames {
				t.Fatalf("existed %v, current %q, profiles %q", existed, c.Settings.CurrentProfile, c.ProfileNames())
			}
			if _, ok := c.Sessions[tt.remove]; ok {
				t.Fatal("session metadata left")
			}
			if _, err := os.Stat(s.ActivityPath(tt.remove)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("activity log left: %v", err)
			}
			if got, _ := s.ReadActivity(c.Profiles[0].Name, 0); len(got) != 1 {
				t.Fatalf("another profile's activity: %d entries", len(got))
			}
		})
	}
}

func TestValidateProfile(t *testing.T) {
	mod := func(f func(*Profile)) Profile { p := testProfile("ok"); f(&p); return p }
	tests := []struct {
		name  string
		p     Profile
		field string
		want  string
	}{
		{"valid", testProfile("prod-1.a_b"), "", ""},
		{"valid full", mod(func(p *Profile) {
			p.Environment = "https://sandbox.local:8443/"
			p.Ports = []int{1024, 65535, 8765, 8766, 8767}
			p.Scopes = []string{"signature", "extended", "dtr.rooms.read", "organization_read"}
		}), "", ""},
		{"empty name", mod(func(p *Profile) { p.Name = "" }), "name", "profile name"},
		{"name with slash", mod(func(p *Profile) { p.Name = "a/b" }), "name", "letters, digits"},
		{"long name", mod(func(p *Profile) { p.Name = strings.Repeat("a", 65) }), "name", "1 to 64"},
		{"key not a GUID", mod(func(p *Profile) { p.IntegrationKey = "abc" }), "integration_key", "Apps and Keys page"},
		{"key with braces", mod(func(p *Profile) { p.IntegrationKey = "{1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f}" }), "integration_key", "GUID"},
		{"environment", mod(func(p *Profile) { p.Environment = "staging" }), "environment", "environment"},
		{"low port", mod(func(p *Profile) { p.Ports = []int{80} }), "ports", "between 1024 and 65535"},
		{"high port", mod(func(p *Profile) { p.Ports = []int{65536} }), "ports", "between 1024 and 65535"},
		{"duplicate port", mod(func(p *Profile) { p.Ports = []int{8765, 8765} }), "ports", "twice"},
		{"six ports", mod(func(p *Profile) { p.Ports = []int{2001, 2002, 2003, 2004, 2005, 2006} }), "ports", "at most 5"},
		{"empty scope", mod(func(p *Profile) { p.Scopes = []string{"signature", ""} }), "scopes", "scope"},
		{"scope with space", mod(func(p *Profile) { p.Scopes = []string{"signature extended"} }), "scopes", "scope"},
		{"upper scope", mod(func(p *Profile) { p.Scopes = []string{"Signature"} }), "scopes", "lowercase"},
		{"negative lifetime", mod(func(p *Profile) { p.RefreshLifetime = -1 }), "refresh_lifetime", "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateProfile(tt.p)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want field %s with %q", err, tt.field, tt.want)
			}
		})
	}
}

func TestProfileDefaults(t *testing.T) {
	p := testProfile("a")
	if got := p.RedirectPorts(); len(got) != 3 || got[0] != 8765 || got[2] != 8767 {
		t.Fatalf("RedirectPorts %v", got)
	}
	if p.ScopeString() != "signature extended" {
		t.Fatalf("scopes %q", p.ScopeString())
	}
	if RedirectURI(8765) != "http://127.0.0.1:8765/callback" {
		t.Fatal(RedirectURI(8765))
	}
	if env, err := p.Env(); err != nil || env != "demo" {
		t.Fatalf("Env %v %v", env, err)
	}
}
