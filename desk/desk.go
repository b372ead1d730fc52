// Package desk wires Token Desk together: it opens the config file and the
// keyring, builds one oauth client and one keeper per profile, and hands
// them to the command line and the window. It knows nothing of Fyne.
package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// Options configure a Manager.
type Options struct {
	// Store is the config file store.
	Store *storage.Store
	// Secrets is the secret store (the OS keyring, or memory in demo mode).
	Secrets storage.Secrets
	// Now is the wall clock (default time.Now).
	Now func() time.Time
	// Base is the template of every profile's oauth client: timeouts, HTTP
	// transport, ports (profile values win where set).
	Base oauth.Config
	// HandOff is every keeper's keeper.Options.HandOff: where a rotated
	// session goes when this process cannot store it (nil: nowhere).
	HandOff func(ctx context.Context, profile string, s *oauth.Session) error
	// OnPendingWrite is every keeper's keeper.Options.OnPendingWrite: told,
	// in a sentence for the user, that a rotated refresh token is held while
	// its keyring write is retried (nil: not told).
	OnPendingWrite func(msg string)
	// LongRunning marks a process that keeps running (the window, the
	// agent): a rotated refresh token whose keyring write fails is held in
	// memory and its write retried for as long as the process runs, instead
	// of being waited for briefly or handed to another process.
	LongRunning bool
}

// Manager owns the keepers of every profile.
type Manager struct {
	opt     Options
	mu      sync.Mutex
	keepers map[string]*keeper.Keeper
	stops   map[string]context.CancelFunc
	runCtx  context.Context // set by KeepAlive
}

// NewManager returns a manager over a config store and a secret store.
func NewManager(opt Options) *Manager {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Manager{opt: opt, keepers: map[string]*keeper.Keeper{}, stops: map[string]context.CancelFunc{}}
}

// MarkLongRunning makes the keepers created from now on behave as
// Options.LongRunning says (the agent decides this after the manager is
// opened).
func (m *Manager) MarkLongRunning() {
	m.mu.Lock()
	m.opt.LongRunning = true
	m.mu.Unlock()
}

// Store returns the config store.
func (m *Manager) Store() *storage.Store { return m.opt.Store }

// Secrets returns the secret store.
func (m *Manager) Secrets() storage.Secrets { return m.opt.Secrets }

// List returns the profiles in the config file; it is empty when the file
// cannot be read (callers that must report the error use Config).
func (m *Manager) List() []storage.Profile {
	c, err := m.opt.Store.Load()
	if err != nil {
		return nil
	}
	return slices.Clone(c.Profiles)
}

// Config loads the config file.
func (m *Manager) Config() (*storage.Config, error) { return m.opt.Store.Load() }

// Resolve picks a profile by name; "" means the only one. With several
// profiles a name is required, so a script never gets a token for the
// wrong environment.
func (m *Manager) Resolve(name string) (storage.Profile, error) {
	_, p, err := m.resolve(name)
	return p, err
}

// resolve loads the config once and picks the profile from it.
func (m *Manager) resolve(name string) (*storage.Config, storage.Profile, error) {
	c, err := m.opt.Store.Load()
	if err != nil {
		return nil, storage.Profile{}, err
	}
	if name == "" && len(c.Profiles) > 1 {
		return nil, storage.Profile{}, &AmbiguousProfileError{Names: c.ProfileNames()}
	}
	p, err := c.ResolveProfile(name)
	if err != nil {
		return nil, storage.Profile{}, err
	}
	return c, *p, nil
}

// AmbiguousProfileError is Resolve's error when no name was given and
// several profiles exist.
type AmbiguousProfileError struct {
	// Names are the profiles, in config order.
	Names []string
}

func (e *AmbiguousProfileError) Error() string {
	return fmt.Sprintf("several profiles exist (%s); choose one with -p NAME", strings.Join(e.Names, ", "))
}

// Keeper returns the loaded keeper of a profile, creating it on first use.
func (m *Manager) Keeper(ctx context.Context, name string) (*keeper.Keeper, error) {
	c, p, err := m.resolve(name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	k := m.keepers[p.Name]
	m.mu.Unlock()
	if k != nil {
		return k, nil
	}
	k, err = m.newKeeper(ctx, p, c.Settings)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if existing := m.keepers[p.Name]; existing != nil {
		return existing, nil
	}
	m.keepers[p.Name] = k
	m.startLocked(p.Name, k)
	return k, nil
}

func (m *Manager) newKeeper(ctx context.Context, p storage.Profile, set storage.Settings) (*keeper.Keeper, error) {
	env, err := oauth.ParseEnvironment(p.Environment)
	if err != nil {
		return nil, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	eff := set.Effective()
	m.mu.Lock()
	longRunning := m.opt.LongRunning
	m.mu.Unlock()
	handOff, pendingWait := m.opt.HandOff, time.Duration(0)
	if longRunning {
		handOff, pendingWait = nil, -1
	}
	k := keeper.New(keeper.Options{
		Profile:         p.Name,
		Environment:     env,
		OAuth:           &lazyClient{build: func() (*oauth.Client, error) { return m.Client(p) }},
		Store:           &keeper.StorageBackend{Config: m.opt.Store, Secrets: m.opt.Secrets},
		RefreshLifetime: time.Duration(p.RefreshLifetime),
		Lead:            time.Duration(eff.RefreshLead),
		KeepAlive:       time.Duration(eff.KeepAlive),
		WarnHorizon:     time.Duration(eff.WarnHorizon),
		Now:             m.opt.Now,
		HandOff:         handOff,
		OnPendingWrite:  m.opt.OnPendingWrite,
		// Negative: hold in memory and keep retrying.
		PendingWriteWait: pendingWait,
	})
	if err := k.Load(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

// Client builds the oauth client of a profile, reading its client secret
// from the secret store when it has one.
func (m *Manager) Client(p storage.Profile) (*oauth.Client, error) {
	env, err := oauth.ParseEnvironment(p.Environment)
	if err != nil {
		return nil, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	cfg := m.opt.Base
	cfg.Environment, cfg.IntegrationKey, cfg.Scopes, cfg.Now = env, p.IntegrationKey, p.Scopes, m.opt.Now
	if len(p.Ports) > 0 {
		cfg.Ports = p.Ports
	}
	if p.HasSecret {
		sec, err := m.opt.Secrets.Get(p.Name, storage.KeyClientSecret)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("profile %q is set up with a client secret, but the keyring holds none; add the profile again with --secret-stdin", p.Name)
		}
		if err != nil {
			return nil, fmt.Errorf("read the client secret of %q: %w", p.Name, err)
		}
		cfg.ClientSecret = sec
	}
	return oauth.NewClient(cfg)
}

// SaveProfile validates and stores a profile, as SaveProfileNotice does,
// without the notice.
func (m *Manager) SaveProfile(ctx context.Context, p storage.Profile, clientSecret string) error {
	_, err := m.SaveProfileNotice(ctx, p, clientSecret)
	return err
}

// SaveProfileNotice validates and stores a profile. A non-empty
// clientSecret is written to the keyring (and read back) before the profile
// that points at it; an empty one keeps the stored secret when p.HasSecret
// is set.
//
// Changing an existing profile's environment (or base URL) or integration
// key ends its session on this computer: its tokens and session metadata
// are deleted under the profile's lock, because they belong to the old
// server or app. The returned notice then says so, in a sentence for the
// user; it is empty otherwise.
func (m *Manager) SaveProfileNotice(ctx context.Context, p storage.Profile, clientSecret string) (notice string, err error) {
	if clientSecret != "" {
		p.HasSecret = true
	}
	if err := storage.ValidateProfile(p); err != nil {
		return "", err
	}
	c, err := m.opt.Store.Load() // a broken config file is reported before any keyring work
	if err != nil {
		return "", err
	}
	old, existed := c.Profile(p.Name)
	var what string
	if existed {
		what = changedServer(*old, p)
	}
	b := m.backend()
	if what != "" {
		unlock, err := b.Lock(ctx, p.Name)
		if err != nil {
			return "", fmt.Errorf("wait for another Token Desk process using %q: %w", p.Name, err)
		}
		defer unlock()
		// Tokens first: a secret must never outlive its metadata, and an old
		// server's token must never be sent to the new one.
		for _, k := range []string{storage.KeyAccessToken, storage.KeyRefreshToken} {
			if err := m.opt.Secrets.Delete(p.Name, k); err != nil {
				return "", fmt.Errorf("end the session of %q before changing its %s: %w", p.Name, what, err)
			}
		}
		if c.Sessions[p.Name] != nil {
			notice = fmt.Sprintf("Profile %q now uses a different %s, so its session on this computer was ended (its tokens were deleted); log in again.", p.Name, what)
		}
	}
	if clientSecret != "" {
		if err := m.opt.Secrets.Set(p.Name, storage.KeyClientSecret, clientSecret); err != nil {
			return "", err // storage's errors name the secret and the profile
		}
	} else if !p.HasSecret && existed && old.HasSecret {
		if err := m.opt.Secrets.Delete(p.Name, storage.KeyClientSecret); err != nil {
			return "", err
		}
	}
	err = m.opt.Store.Update(ctx, func(c *storage.Config) error {
		i := slices.IndexFunc(c.Profiles, func(q storage.Profile) bool { return q.Name == p.Name })
		if i >= 0 {
			c.Profiles[i] = p
		} else {
			c.Profiles = append(c.Profiles, p)
		}
		if what != "" {
			delete(c.Sessions, p.Name)
		}
		if len(c.Profiles) == 1 || c.Settings.CurrentProfile == "" {
			c.Settings.CurrentProfile = p.Name
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	m.forget(p.Name) // the next Keeper call rebuilds it with the new settings
	return notice, nil
}

// changedServer names what changed between two versions of a profile that
// makes its tokens meaningless ("environment", "integration key"), or "".
func changedServer(old, p storage.Profile) string {
	canon := func(s string) string {
		e, err := oauth.ParseEnvironment(s)
		if err != nil {
			return s
		}
		return e.BaseURL()
	}
	var what []string
	if canon(old.Environment) != canon(p.Environment) {
		what = append(what, "environment")
	}
	if !strings.EqualFold(strings.TrimSpace(old.IntegrationKey), strings.TrimSpace(p.IntegrationKey)) {
		what = append(what, "integration key")
	}
	return strings.Join(what, " and ")
}

// backend is the storage the keepers use, for its profile lock.
func (m *Manager) backend() *keeper.StorageBackend {
	return &keeper.StorageBackend{Config: m.opt.Store, Secrets: m.opt.Secrets}
}

// RemoveProfile forgets a profile: its tokens, client secret, metadata and
// activity log. It holds the profile's lock (the one a refresh holds), so
// a refresh in flight in any process finishes first and cannot write the
// tokens back afterwards.
func (m *Manager) RemoveProfile(ctx context.Context, name string) error {
	c, err := m.opt.Store.Load()
	if err != nil {
		return err
	}
	if _, ok := c.Profile(name); !ok {
		return fmt.Errorf("no profile named %q", name)
	}
	m.forget(name) // stop this process's background refresher first
	unlock, err := m.backend().Lock(ctx, name)
	if err != nil {
		return fmt.Errorf("wait for another Token Desk process using %q: %w", name, err)
	}
	defer unlock()
	for _, k := range []string{storage.KeyAccessToken, storage.KeyRefreshToken, storage.KeyClientSecret} {
		if err := m.opt.Secrets.Delete(name, k); err != nil {
			return err
		}
	}
	if _, err := m.opt.Store.RemoveProfileData(ctx, name); err != nil {
		return err
	}
	m.forget(name)
	return nil
}

func (m *Manager) forget(name string) {
	m.mu.Lock()
	if stop := m.stops[name]; stop != nil {
		stop()
	}
	delete(m.stops, name)
	delete(m.keepers, name)
	m.mu.Unlock()
}

// KeepAlive starts the background refresher of every profile's keeper, and
// of every keeper created later, until ctx ends.
func (m *Manager) KeepAlive(ctx context.Context) {
	m.mu.Lock()
	m.runCtx = ctx
	for name, k := range m.keepers {
		m.startLocked(name, k)
	}
	m.mu.Unlock()
	for _, p := range m.List() {
		_, _ = m.Keeper(ctx, p.Name)
	}
}

// startLocked starts a keeper's background loop once KeepAlive has been
// called, unless it runs already. m.mu must be held.
func (m *Manager) startLocked(name string, k *keeper.Keeper) {
	if m.runCtx == nil || m.stops[name] != nil {
		return
	}
	rctx, stop := context.WithCancel(m.runCtx)
	m.stops[name] = stop
	go k.Run(rctx)
}

// PokeAll asks every running keeper to check its session now (the window
// came to the foreground, the network came back).
func (m *Manager) PokeAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range m.keepers {
		k.Poke()
	}
}
