package main

import (
	"context"
	"slices"
	"testing"

	"github.com/tokendesk/tokendesk/demo"
	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/storage"
	"github.com/tokendesk/tokendesk/ui"
)

// TestWindowProfilesInDemoMode: the window's profile adapter, over the demo
// store runWindow builds in demo mode, saves a profile added there to the
// real configuration (defect 8.1), and hands out sessions that offer the
// login pane's paste-the-address fallback (issue 10).
func TestWindowProfilesInDemoMode(t *testing.T) {
	ctx := context.Background()
	d, err := demo.Start(ctx, demo.Options{AutoAccept: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	real := desk.NewManager(desk.Options{Store: storage.Open(t.TempDir()), Secrets: storage.NewMemorySecrets()})
	var store profileStore = d.Profiles(real)
	var p ui.Profiles = profiles{m: store, ctx: ctx}
	pr := storage.Profile{Name: "acme", Environment: "production", IntegrationKey: "1a2b3c4d-0000-1111-2222-333344445555"}
	if _, err := p.Save(pr, ""); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, q := range real.List() {
		names = append(names, q.Name)
	}
	if !slices.Equal(names, []string{"acme"}) {
		t.Errorf("real configuration holds %v, want the profile added in demo mode", names)
	}
	for _, name := range []string{demo.ProfileName, "acme"} {
		s, err := p.Session(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.(ui.PasteLogin); !ok {
			t.Errorf("session %s offers no paste fallback", name)
		}
	}
}
