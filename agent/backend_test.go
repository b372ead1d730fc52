package agent

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// TestManagerBackendHandOff: a handed-off session is stored and served by
// the same keeper the app keeps alive; before it, the profile is signed out.
func TestManagerBackendHandOff(t *testing.T) {
	ctx := context.Background()
	secrets := storage.NewMemorySecrets()
	m := desk.NewManager(desk.Options{Store: storage.Open(t.TempDir()), Secrets: secrets})
	if err := m.SaveProfile(ctx, storage.Profile{Name: "p", Environment: "demo", IntegrationKey: "00000000-0000-0000-0000-000000000001"}, ""); err != nil {
		t.Fatal(err)
	}
	b := &ManagerBackend{M: m}
	if _, _, err := b.Token(ctx, "p", time.Minute); !signedOutErr(err) {
		t.Fatalf("token before the hand-off: %v", err)
	}
	if _, err := b.Refresh(ctx, "p"); !signedOutErr(err) {
		t.Fatalf("refresh before the hand-off: %v", err)
	}
	now := time.Now().UTC()
	s := &oauth.Session{RequestedScopes: []string{"signature", "extended"}, AccessExpiresAt: now.Add(8 * time.Hour),
		AccessIssuedAt: now, ConsentedAt: now.Add(-time.Hour), RefreshIssuedAt: now, RotatedAt: now, Refreshes: 1}
	if err := b.HandOff(ctx, "p", &HandOff{Session: s, AccessToken: "handed-access", RefreshToken: "handed-refresh"}); err != nil {
		t.Fatal(err)
	}
	if rt, err := secrets.Get("p", storage.KeyRefreshToken); err != nil || rt != "handed-refresh" {
		t.Fatalf("stored refresh token %q, %v", rt, err)
	}
	tok, st, err := b.Token(ctx, "p", time.Minute)
	if err != nil || tok != "handed-access" || st == nil || st.State != keeper.Valid {
		t.Fatalf("token after the hand-off: %q %v %+v", tok, err, st)
	}
	if st, err := b.Status(ctx, ""); err != nil || st.Profile != "p" {
		t.Fatalf("status of the only profile: %v %+v", err, st)
	}
	if _, _, err := b.Token(ctx, "nope", time.Minute); err == nil {
		t.Fatal("a token for an unknown profile")
	}
}

// TestManagerBackendHandOffHeld: when the app's keyring refuses the handed
// session too, the keeper holds it (Retrying, with a storage error) and
// reports it; once the keyring works, the next refresh saves it first.
func TestManagerBackendHandOffHeld(t *testing.T) {
	ctx := context.Background()
	secrets := storage.NewMemorySecrets()
	m := desk.NewManager(desk.Options{Store: storage.Open(t.TempDir()), Secrets: secrets})
	if err := m.SaveProfile(ctx, storage.Profile{Name: "p", Environment: "demo", IntegrationKey: "00000000-0000-0000-0000-000000000001"}, ""); err != nil {
		t.Fatal(err)
	}
	b := &ManagerBackend{M: m}
	if _, err := b.Status(ctx, "p"); err != nil { // the keeper exists before the keyring breaks
		t.Fatal(err)
	}
	secrets.SetFail(errors.New("the login keyring is locked"))
	now := time.Now().UTC()
	s := &oauth.Session{RequestedScopes: []string{"signature"}, AccessExpiresAt: now.Add(8 * time.Hour),
		ConsentedAt: now, RefreshIssuedAt: now}
	if err := b.HandOff(ctx, "p", &HandOff{Session: s, AccessToken: "held-access", RefreshToken: "held-refresh"}); err != nil {
		t.Fatalf("hand-off with a locked keyring: %v", err)
	}
	st, err := b.Status(ctx, "p")
	if err != nil || st.StorageError == "" {
		t.Fatalf("status while held: %v %+v", err, st)
	}
	secrets.SetFail(nil)
	if _, err := b.Refresh(ctx, "p"); err != nil { // a refresh first writes the held session
		t.Fatalf("refresh after the keyring came back: %v", err)
	}
	if rt, err := secrets.Get("p", storage.KeyRefreshToken); err != nil || rt != "held-refresh" {
		t.Fatalf("after the keyring came back: %q, %v", rt, err)
	}
}

// TestManagerBackendSeesOtherProcesses: a login or logout made by another
// process (another Manager over the same config and keyring) is what the
// running app serves next, not its stale view.
func TestManagerBackendSeesOtherProcesses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	secrets := storage.NewMemorySecrets()
	app := desk.NewManager(desk.Options{Store: storage.Open(dir), Secrets: secrets})
	cli := desk.NewManager(desk.Options{Store: storage.Open(dir), Secrets: secrets})
	if err := cli.SaveProfile(ctx, storage.Profile{Name: "p", Environment: "demo", IntegrationKey: "00000000-0000-0000-0000-000000000001"}, ""); err != nil {
		t.Fatal(err)
	}
	b := &ManagerBackend{M: app}
	steps := []struct {
		name      string
		other     func() error
		wantToken string
		signedOut bool
	}{
		{"signed out at first", func() error { return nil }, "", true},
		{"another process logs in", func() error {
			now := time.Now().UTC()
			s := &oauth.Session{RequestedScopes: []string{"signature"}, AccessToken: "login-access", RefreshToken: "login-refresh",
				AccessExpiresAt: now.Add(8 * time.Hour), AccessIssuedAt: now, ConsentedAt: now, RefreshIssuedAt: now}
			time.Sleep(10 * time.Millisecond) // a distinct config file version
			return (&keeper.StorageBackend{Config: cli.Store(), Secrets: secrets}).SaveSession(ctx, "p", s)
		}, "login-access", false},
		{"another process logs out", func() error {
			k, err := cli.Keeper(ctx, "p")
			if err != nil {
				return err
			}
			time.Sleep(10 * time.Millisecond)
			return k.Logout(ctx)
		}, "", true},
	}
	for _, s := range steps {
		if err := s.other(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		tok, _, err := b.Token(ctx, "p", time.Minute)
		if tok != s.wantToken || signedOutErr(err) != s.signedOut {
			t.Fatalf("%s: token %q, error %v", s.name, tok, err)
		}
	}
}

// signedOutErr reports an error the wire would carry as "signed out".
func signedOutErr(err error) bool { return err != nil && errors.Is(errorOf(err), keeper.ErrSignedOut) }
