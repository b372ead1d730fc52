package storage

import (
	"errors"
	"strings"
	"testing"
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

func TestProfileEditing(t *testing.T) {
	c := NewConfig()
	must(t, c.PutProfile(testProfile("a")))
	must(t, c.PutProfile(testProfile("b")))
	p := testProfile("a")
	p.Environment = "production"
	must(t, c.PutProfile(p))
	if len(c.Profiles) != 2 || c.Profiles[0].Environment != "production" {
		t.Fatalf("replace in place: %+v", c.Profiles)
	}
	if err := c.PutProfile(Profile{Name: "bad name"}); err == nil {
		t.Fatal("invalid profile accepted")
	}
	ptr, _ := c.Profile("b")
	ptr.HasSecret = true
	if !c.Profiles[1].HasSecret {
		t.Fatal("Profile does not point into the config")
	}
	c.Settings.CurrentProfile = "a"
	c.Sessions["a"] = nil
	if !c.RemoveProfile("a") || c.RemoveProfile("a") {
		t.Fatal("RemoveProfile result")
	}
	if _, ok := c.Sessions["a"]; ok || c.Settings.CurrentProfile != "" || len(c.Profiles) != 1 {
		t.Fatalf("RemoveProfile left %+v", c)
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
