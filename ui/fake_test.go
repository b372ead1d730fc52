package ui

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

const secretToken = "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.SECRET-ACCESS-TOKEN-VALUE"

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func init() { time.Local = time.UTC } // stable dates in labels and golden images

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// fakeSession is a scriptable Session.
type fakeSession struct {
	mu        sync.Mutex
	status    keeper.Status
	subs      map[int]func(keeper.Status)
	next      int
	token     string
	tokenErr  error
	tokenMins []time.Duration
	refreshes int
	logouts   int
	acts      []keeper.Activity

	loginURL    string
	loginResult chan error // Login returns what arrives here (or ctx error)
	loginCalls  int
}

func newFakeSession(st keeper.Status) *fakeSession {
	return &fakeSession{status: st, subs: map[int]func(keeper.Status){}, token: secretToken,
		loginURL: "https://account-d.docusign.com/oauth/auth?client_id=x&state=y", loginResult: make(chan error, 1)}
}

func (f *fakeSession) Status() keeper.Status { f.mu.Lock(); defer f.mu.Unlock(); return f.status }

func (f *fakeSession) Subscribe(fn func(keeper.Status)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.next
	f.next++
	f.subs[id] = fn
	return func() { f.mu.Lock(); delete(f.subs, id); f.mu.Unlock() }
}

// push sets and publishes a status, as the keeper would.
func (f *fakeSession) push(st keeper.Status) {
	f.mu.Lock()
	f.status = st
	subs := make([]func(keeper.Status), 0, len(f.subs))
	for _, s := range f.subs {
		subs = append(subs, s)
	}
	f.mu.Unlock()
	for _, s := range subs {
		s(st)
	}
}

func (f *fakeSession) Token(_ context.Context, minValid time.Duration) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenMins = append(f.tokenMins, minValid)
	return f.token, f.tokenErr
}

func (f *fakeSession) Refresh(context.Context) error {
	f.mu.Lock()
	f.refreshes++
	f.mu.Unlock()
	return nil
}

func (f *fakeSession) Login(ctx context.Context, onURL func(string)) error {
	f.mu.Lock()
	f.loginCalls++
	f.mu.Unlock()
	onURL(f.loginURL)
	select {
	case err := <-f.loginResult:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeSession) Logout(context.Context) error {
	f.mu.Lock()
	f.logouts++
	f.mu.Unlock()
	f.push(keeper.Status{Profile: f.status.Profile, Environment: f.status.Environment, State: keeper.SignedOut})
	return nil
}

func (f *fakeSession) Activity() []keeper.Activity {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.acts)
}

// fakeProfiles holds profiles and their fake sessions.
type fakeProfiles struct {
	mu       sync.Mutex
	profiles []storage.Profile
	sessions map[string]*fakeSession
	saved    []storage.Profile
	secrets  []string
	removed  []string
	failWith string   // when set, Session fails with this message
	opened   []string // names passed to Session, in order
	lists    int      // calls of List
}

func (f *fakeProfiles) List() []storage.Profile {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	return slices.Clone(f.profiles)
}

func (f *fakeProfiles) Session(name string) (Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened = append(f.opened, name)
	if f.failWith != "" {
		return nil, errors.New(f.failWith)
	}
	if s, ok := f.sessions[name]; ok {
		return s, nil
	}
	return nil, errors.New("no such profile")
}

// Save stores p; like desk.Manager.SaveProfileNotice it returns a notice
// when an existing profile's server or integration key changes while it has
// a session.
func (f *fakeProfiles) Save(p storage.Profile, secret string) (notice string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saved = append(f.saved, p)
	f.secrets = append(f.secrets, secret)
	i := slices.IndexFunc(f.profiles, func(q storage.Profile) bool { return q.Name == p.Name })
	if i >= 0 {
		old := f.profiles[i]
		if s := f.sessions[p.Name]; s != nil && s.Status().Session != nil &&
			(old.Environment != p.Environment || old.IntegrationKey != p.IntegrationKey) {
			notice = "Profile " + p.Name + " now uses a different server, so its session on this computer was ended; log in again."
		}
		f.profiles[i] = p
	} else {
		f.profiles = append(f.profiles, p)
		f.sessions[p.Name] = newFakeSession(keeper.Status{Profile: p.Name, Environment: oauth.Environment(p.Environment), State: keeper.SignedOut})
	}
	return notice, nil
}

func (f *fakeProfiles) Remove(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, name)
	f.profiles = slices.DeleteFunc(f.profiles, func(p storage.Profile) bool { return p.Name == name })
	delete(f.sessions, name)
	return nil
}

// validSession is a signed-in session issued at t0 with 8h of access.
func validSession() *oauth.Session {
	return &oauth.Session{
		AccessToken:     secretToken,
		RefreshToken:    "REFRESH-SECRET",
		TokenType:       "Bearer",
		AccessExpiresAt: t0.Add(8 * time.Hour),
		RequestedScopes: []string{"signature", "extended"},
		ReportedScopes:  []string{"signature"},
		ConsentedAt:     t0.Add(-48 * time.Hour),
		RefreshIssuedAt: t0,
		RotatedAt:       t0,
		User: &oauth.UserInfo{Name: "Ada Admin", Email: "ada@example.com", Accounts: []oauth.Account{
			{AccountID: "acc-1111", AccountName: "Acme Corp", IsDefault: true, BaseURI: "https://demo.docusign.net"},
			{AccountID: "acc-2222", AccountName: "Acme Labs", BaseURI: "https://demo.docusign.net"},
		}},
	}
}

func validStatus(env oauth.Environment) keeper.Status {
	return keeper.Status{
		Profile: "acme", Environment: env, State: keeper.Valid, Session: validSession(),
		AccessIssuedAt: t0, AccessExpiresAt: t0.Add(8 * time.Hour), RefreshIssuedAt: t0,
		RefreshExpiresAt: t0.Add(30 * 24 * time.Hour), RefreshExpirySource: oauth.SourceEstimate,
		WarnFrom: t0.Add(27 * 24 * time.Hour), Extended: true, ExtendedEvidence: "requested",
		NextAttempt: t0.Add(7 * time.Hour), NextKind: keeper.NextRefresh, UpdatedAt: t0,
	}
}

// harness is a window over one profile "acme" with seams captured.
type harness struct {
	t        *testing.T
	app      fyne.App
	m        *MainWindow
	clock    *fakeClock
	sess     *fakeSession
	profiles *fakeProfiles
	timers   []pendingTimer
	notes    []*fyne.Notification
	opened   []string
	openErr  error
}

type pendingTimer struct {
	d time.Duration
	f func()
}

func newHarness(t *testing.T, st keeper.Status) *harness {
	t.Helper()
	h := &harness{t: t, app: test.NewTempApp(t), clock: &fakeClock{now: t0}}
	env := st.Environment
	if env == "" {
		env = oauth.Demo
	}
	h.sess = newFakeSession(st)
	h.profiles = &fakeProfiles{
		profiles: []storage.Profile{{Name: "acme", Environment: string(env), IntegrationKey: "1a2b3c4d-0000-1111-2222-333344445555"}},
		sessions: map[string]*fakeSession{"acme": h.sess},
	}
	h.m = h.build(Options{})
	return h
}

// newHarnessWith is a window over several profiles, each with its own fake
// session; h.sess is the first one's.
func newHarnessWith(t *testing.T, profiles []storage.Profile, statuses map[string]keeper.Status) *harness {
	t.Helper()
	h := &harness{t: t, app: test.NewTempApp(t), clock: &fakeClock{now: t0}}
	h.profiles = &fakeProfiles{profiles: profiles, sessions: map[string]*fakeSession{}}
	for _, p := range profiles {
		st := statuses[p.Name]
		st.Profile = p.Name
		if st.Environment == "" {
			st.Environment = oauth.Environment(p.Environment)
		}
		h.profiles.sessions[p.Name] = newFakeSession(st)
	}
	h.sess = h.profiles.sessions[profiles[0].Name]
	h.m = h.build(Options{})
	return h
}

func (h *harness) build(opt Options) *MainWindow {
	opt.Now = h.clock.Now
	opt.OpenURL = func(u string) error { h.opened = append(h.opened, u); return h.openErr }
	m := newMainWindow(h.app, h.profiles, opt, func(m *MainWindow) {
		m.after = func(d time.Duration, f func()) { h.timers = append(h.timers, pendingTimer{d, f}) }
		m.notify = func(n *fyne.Notification) { h.notes = append(h.notes, n) }
		m.spawn = func(f func()) { f() } // synchronous backend calls
		syncSeams(m)
	})
	m.win.Resize(fyne.NewSize(720, 620))
	h.t.Cleanup(m.Close)
	return m
}

// syncSeams makes the window's background work synchronous, so a test's
// window never changes under it from another goroutine.
func syncSeams(m *MainWindow) {
	m.loadActivity = func(s Session, done func([]keeper.Activity)) { done(s.Activity()) }
	m.background = func(open func() func()) { open()() }
}

// eventually waits for cond, failing the test after a second.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !underUI(cond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testProfile(name string) storage.Profile {
	return storage.Profile{Name: name, Environment: "demo", IntegrationKey: "1a2b3c4d-0000-1111-2222-333344445555"}
}

// uiMu stands in for Fyne's main goroutine in tests: callbacks that
// production code hands to fyne.Do run under it, and tests read widgets that
// such callbacks write under it too.
var uiMu sync.Mutex

func init() {
	runOnMain = func(f func()) {
		uiMu.Lock()
		defer uiMu.Unlock()
		f()
	}
}

// underUI evaluates cond as if on the main goroutine.
func underUI(cond func() bool) bool {
	uiMu.Lock()
	defer uiMu.Unlock()
	return cond()
}

// onUI runs a test's action on the stand-in main goroutine, so a background
// callback (a login finishing, say) cannot lay out widgets at the same time.
func onUI(f func()) {
	uiMu.Lock()
	defer uiMu.Unlock()
	f()
}
