package ui

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tokendesk/tokendesk/demo"
	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// storeProfiles adapts a desk.Manager or demo.Profiles to Profiles, as
// main.go does.
type storeProfiles struct {
	s interface {
		List() []storage.Profile
		Keeper(ctx context.Context, name string) (*keeper.Keeper, error)
		SaveProfile(ctx context.Context, p storage.Profile, clientSecret string) error
		RemoveProfile(ctx context.Context, name string) error
	}
}

func (p storeProfiles) List() []storage.Profile { return p.s.List() }
func (p storeProfiles) Session(name string) (Session, error) {
	k, err := p.s.Keeper(context.Background(), name)
	if err != nil {
		return nil, err
	}
	return k, nil
}
func (p storeProfiles) Save(pr storage.Profile, secret string) error {
	return p.s.SaveProfile(context.Background(), pr, secret)
}
func (p storeProfiles) Remove(name string) error {
	return p.s.RemoveProfile(context.Background(), name)
}

// TestDemoAddProfileKeptInRealConfig: defect 8.1. A profile added from demo
// mode is saved to the user's real configuration, shown at once, and is
// what the window opens on after it is rebuilt on that configuration.
func TestDemoAddProfileKeptInRealConfig(t *testing.T) {
	d, err := demo.Start(context.Background(), demo.Options{AutoAccept: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	realDir := t.TempDir()
	secrets := storage.NewMemorySecrets()
	real := desk.NewManager(desk.Options{Store: storage.Open(realDir), Secrets: secrets})
	a := test.NewTempApp(t)
	m := newMainWindow(a, storeProfiles{d.Profiles(real)}, Options{DemoNote: demo.Note}, func(m *MainWindow) {
		m.spawn = func(f func()) { f() }
	})
	m.win.Resize(fyne.NewSize(1024, 700))
	defer m.Close()
	if m.profile != demo.ProfileName {
		t.Fatalf("demo window shows %q", m.profile)
	}

	test.Tap(m.AddProfileButton)
	pd := m.profileDialog
	if pd == nil {
		t.Fatal("profile form not shown")
	}
	pd.NameEntry.SetText("acme-prod")
	pd.KeyEntry.SetText(goodKey)
	pd.EnvRadio.SetSelected(choiceText(oauth.Production))
	tapDialogButton(t, m, "Save")
	if m.profileDialog != nil {
		t.Fatalf("form still open: %q", pd.ErrorLabel.Text)
	}
	if m.profile != "acme-prod" {
		t.Errorf("window shows %q after saving, want the new profile", m.profile)
	}
	if got := profileNames(d.Manager.List()); !slices.Equal(got, []string{demo.ProfileName}) {
		t.Errorf("demo config holds %v; the new profile went to the throwaway config", got)
	}

	// The next start: main opens the real configuration, which now has a
	// profile, so no demo mode; the window shows the profile added.
	d.Close()
	again := desk.NewManager(desk.Options{Store: storage.Open(realDir), Secrets: secrets})
	cfg, err := again.Config()
	if err != nil {
		t.Fatal(err)
	}
	m2 := newMainWindow(a, storeProfiles{again}, Options{Initial: cfg.Settings.CurrentProfile}, nil)
	defer m2.Close()
	if got := profileNames(again.List()); !slices.Equal(got, []string{"acme-prod"}) || m2.profile != "acme-prod" {
		t.Errorf("rebuilt window: profiles %v, shows %q", got, m2.profile)
	}
}

func profileNames(ps []storage.Profile) []string {
	var n []string
	for _, p := range ps {
		n = append(n, p.Name)
	}
	return n
}
