package ui

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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
	wg *sync.WaitGroup
	s  storeProfilesStore
}

// storeProfilesStore is main.go's profileStore, as far as the window uses it.
type storeProfilesStore interface {
	List() []storage.Profile
	Keeper(ctx context.Context, name string) (*keeper.Keeper, error)
	SaveProfileNotice(ctx context.Context, p storage.Profile, clientSecret string) (notice string, err error)
	RemoveProfile(ctx context.Context, name string) error
	Resolve(name string) (storage.Profile, error)
	Client(p storage.Profile) (*oauth.Client, error)
}

func (p storeProfiles) List() []storage.Profile { return p.s.List() }
func (p storeProfiles) Session(name string) (Session, error) {
	k, err := p.s.Keeper(context.Background(), name)
	if err != nil {
		return nil, err
	}
	return queuedSession{p.wg, &KeeperSession{Keeper: k, Client: func() (*oauth.Client, error) {
		pr, err := p.s.Resolve(name)
		if err != nil {
			return nil, err
		}
		return p.s.Client(pr)
	}}}, nil
}

// queuedSession hands a real keeper's status pushes to the window in order,
// from a goroutine of its own. The keeper calls a new subscriber at once,
// on the subscribing goroutine; in tests, where the stand-in main
// goroutine is a lock the test holds while it acts on the window, that
// first call would wait for the lock forever.
type queuedSession struct {
	wg *sync.WaitGroup // counts the delivering goroutines
	*KeeperSession
}

func (q queuedSession) Subscribe(fn func(keeper.Status)) func() {
	ch, done := make(chan keeper.Status, 64), make(chan struct{})
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		for {
			select {
			case st := <-ch:
				select {
				case <-done:
					return // unsubscribed while this one waited
				default:
					fn(st)
				}
			case <-done:
				return
			}
		}
	}()
	cancel := q.KeeperSession.Subscribe(func(st keeper.Status) {
		select {
		case ch <- st:
		case <-done:
		}
	})
	return func() { cancel(); close(done) }
}
func (p storeProfiles) Save(pr storage.Profile, secret string) (string, error) {
	return p.s.SaveProfileNotice(context.Background(), pr, secret)
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
	sp := newStoreProfiles(d.Profiles(real))
	var m *MainWindow
	onUI(func() {
		m = newMainWindow(a, sp, Options{DemoNote: demo.Note}, nil)
		m.win.Resize(fyne.NewSize(1024, 700))
	})
	defer sp.closeWindows(m)
	if p := underUIString(func() string { return m.profile }); p != demo.ProfileName {
		t.Fatalf("demo window shows %q", p)
	}

	onUI(func() {
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
	})
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
	sp2 := newStoreProfiles(again)
	var m2 *MainWindow
	onUI(func() {
		m2 = newMainWindow(a, sp2, Options{Initial: cfg.Settings.CurrentProfile}, nil)
	})
	defer sp2.closeWindows(m2)
	shows := underUIString(func() string { return m2.profile })
	if got := profileNames(again.List()); !slices.Equal(got, []string{"acme-prod"}) || shows != "acme-prod" {
		t.Errorf("rebuilt window: profiles %v, shows %q", got, shows)
	}
}

func profileNames(ps []storage.Profile) []string {
	var n []string
	for _, p := range ps {
		n = append(n, p.Name)
	}
	return n
}

// TestPasteLoginAgainstSandbox: issue 10's "paste the address" fallback,
// end to end: the consent address is opened by another "browser" (an HTTP
// client that does not follow the redirect to this computer's loopback
// port), and the address it ends on, pasted into the login pane, signs the
// profile in through the real keeper and the local sandbox.
func TestPasteLoginAgainstSandbox(t *testing.T) {
	d, err := demo.Start(context.Background(), demo.Options{AutoAccept: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a := test.NewTempApp(t)
	sp := newStoreProfiles(d.Manager)
	var m *MainWindow
	onUI(func() {
		m = newMainWindow(a, sp, Options{OpenURL: func(string) error { return nil }}, nil)
	})
	defer sp.closeWindows(m)
	p := m.Paste
	onUI(func() { m.startLogin() })
	eventually(t, "consent address", func() bool { return p.consent != "" && p.box.Visible() })
	consent := underUIString(func() string { return p.consent })
	if !strings.HasPrefix(consent, d.Sandbox.URL()+"/oauth/auth?") {
		t.Fatalf("consent address %q is not the sandbox's", consent)
	}
	other := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := other.Get(consent)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ended := resp.Header.Get("Location")
	if !strings.HasPrefix(ended, "http://127.0.0.1:") || !strings.Contains(ended, "code=") {
		t.Fatalf("the other browser ended on %q (status %d)", ended, resp.StatusCode)
	}
	onUI(func() { p.Entry.SetText(ended); test.Tap(p.UseButton) })
	eventually(t, "signed in", func() bool { return !m.loggingIn() })
	onUI(func() {
		if st := m.sess.Status(); st.State != keeper.Valid || st.Session == nil {
			t.Errorf("after the pasted login: state %v, notice %q, error %q", st.State, m.NoticeLabel.Text, m.LoginError.Text)
		}
	})
}

// newStoreProfiles wraps a store; closeWindows closes windows built on it
// and waits until none of its deliveries runs any more, so no window work
// outlives the test.
func newStoreProfiles(s storeProfilesStore) storeProfiles {
	return storeProfiles{wg: &sync.WaitGroup{}, s: s}
}

func (p storeProfiles) closeWindows(ms ...*MainWindow) {
	onUI(func() {
		for _, m := range ms {
			m.Close()
		}
	})
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

// underUIString reads a string as if on the main goroutine.
func underUIString(f func() string) string {
	var s string
	onUI(func() { s = f() })
	return s
}
