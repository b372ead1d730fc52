package demo

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
	"github.com/tokendesk/tokendesk/storage"
)

const realKey = "1a2b3c4d-0000-1111-2222-333344445555"

// startDemo runs a demo (real loopback sandbox) next to a real manager over
// its own temp config.
func startDemo(t *testing.T) (*Demo, *desk.Manager) {
	t.Helper()
	d, err := Start(context.Background(), Options{AutoAccept: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	real := desk.NewManager(desk.Options{Store: storage.Open(t.TempDir()), Secrets: storage.NewMemorySecrets()})
	return d, real
}

func names(ps []storage.Profile) []string {
	var n []string
	for _, p := range ps {
		n = append(n, p.Name)
	}
	return n
}

// TestProfilesSavesRealProfilesInRealConfig: defect 8.1, a profile added in
// demo mode went to the throwaway demo config and vanished on quit.
func TestProfilesSavesRealProfilesInRealConfig(t *testing.T) {
	d, real := startDemo(t)
	ctx := context.Background()
	p := d.Profiles(real)
	if got := names(p.List()); !slices.Equal(got, []string{ProfileName}) {
		t.Fatalf("List before = %v", got)
	}
	// Demo marks a sandbox profile; a copied flag must not follow a real one.
	acme := storage.Profile{Name: "acme", Environment: "production", IntegrationKey: realKey, Demo: true}
	if err := p.SaveProfile(ctx, acme, "client-secret"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		store *desk.Manager
		what  string
		want  []string
	}{
		{real, "real config", []string{"acme"}},
		{d.Manager, "demo config", []string{ProfileName}},
		{nil, "window list", []string{ProfileName, "acme"}},
	} {
		var got []string
		if tc.store == nil {
			got = names(p.List())
		} else {
			got = names(tc.store.List())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.what, got, tc.want)
		}
	}
	saved, err := real.Resolve("acme")
	if err != nil || saved.Demo || !saved.HasSecret {
		t.Errorf("real profile = %+v, %v", saved, err)
	}
	if sec, err := real.Secrets().Get("acme", storage.KeyClientSecret); err != nil || sec != "client-secret" {
		t.Errorf("client secret not in the real secret store: %v", err)
	}
	cfg, err := real.Config()
	if err != nil || cfg.Settings.CurrentProfile != "acme" {
		t.Errorf("real current profile = %q (%v); the next start must open it", cfg.Settings.CurrentProfile, err)
	}

	// A fresh manager over the same real directory (the next launch) sees it.
	again := desk.NewManager(desk.Options{Store: storage.Open(real.Store().Dir()), Secrets: real.Secrets()})
	if got := names(again.List()); !slices.Equal(got, []string{"acme"}) {
		t.Errorf("after restart the real config lists %v", got)
	}

	for _, name := range []string{ProfileName, "acme"} {
		pr, err := p.Resolve(name)
		if err != nil || pr.Name != name {
			t.Fatalf("Resolve(%s) = %+v, %v", name, pr, err)
		}
		if _, err := p.Client(pr); err != nil {
			t.Errorf("Client(%s): %v (the client secret must come from the store that owns it)", name, err)
		}
		k, err := p.Keeper(ctx, name)
		if err != nil {
			t.Fatalf("Keeper(%s): %v", name, err)
		}
		if k.Status().Profile != name {
			t.Errorf("Keeper(%s) is %s's", name, k.Status().Profile)
		}
	}

	if err := p.RemoveProfile(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if len(real.List()) != 0 || !slices.Equal(names(p.List()), []string{ProfileName}) {
		t.Errorf("after remove: real %v, list %v", names(real.List()), names(p.List()))
	}
}

// TestProfilesSaveNoticeEndsRealSession: editing a real profile's
// integration key through the demo's store ends its session in the real
// store and returns desk's notice saying so, which the window shows; an
// edit that keeps the server returns none.
func TestProfilesSaveNoticeEndsRealSession(t *testing.T) {
	d, real := startDemo(t)
	ctx := context.Background()
	p := d.Profiles(real)
	acme := storage.Profile{Name: "acme", Environment: d.Sandbox.URL(), IntegrationKey: sandbox.DefaultIntegrationKey}
	if notice, err := p.SaveProfileNotice(ctx, acme, ""); err != nil || notice != "" {
		t.Fatalf("new profile: notice %q, %v", notice, err)
	}
	k, err := p.Keeper(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Timeout: 10 * time.Second}
	err = k.Login(ctx, func(u string) {
		go func() {
			if resp, err := browser.Get(u); err == nil { // the sandbox consents and redirects to the callback
				resp.Body.Close()
			}
		}()
	})
	if err != nil || k.Status().Session == nil {
		t.Fatalf("login: %v", err)
	}

	for _, tc := range []struct {
		name       string
		edit       func(*storage.Profile)
		wantNotice bool
	}{
		{"scopes only", func(pr *storage.Profile) { pr.Scopes = []string{"signature"} }, false},
		{"integration key", func(pr *storage.Profile) { pr.IntegrationKey = "1a2b3c4d-0000-1111-2222-333344449999" }, true},
	} {
		pr, err := real.Resolve("acme")
		if err != nil {
			t.Fatal(err)
		}
		tc.edit(&pr)
		notice, err := p.SaveProfileNotice(ctx, pr, "")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if (notice != "") != tc.wantNotice || (tc.wantNotice && !strings.Contains(notice, `"acme"`)) {
			t.Errorf("%s: notice %q, want one: %v", tc.name, notice, tc.wantNotice)
		}
	}
	if _, err := real.Secrets().Get("acme", storage.KeyRefreshToken); err == nil {
		t.Error("the refresh token of the old integration key is still stored")
	}
}
