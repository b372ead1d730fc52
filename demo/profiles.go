package demo

import (
	"context"

	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// Profiles is the profile store the window uses in demo mode. It shows the
// demo profile first and the user's real profiles after it, and it saves
// and removes every profile except the demo one in the user's REAL
// configuration: a profile added from demo mode is kept when the demo's
// throwaway configuration is deleted, and the next start opens it.
type Profiles struct {
	// Demo holds the demo profile (a throwaway config, in-memory secrets).
	Demo *desk.Manager
	// Real is the user's own configuration and keyring.
	Real *desk.Manager
}

// Profiles returns the store that routes the demo profile to the demo and
// every other profile to real.
func (d *Demo) Profiles(real *desk.Manager) *Profiles {
	return &Profiles{Demo: d.Manager, Real: real}
}

// isDemo reports whether name is the demo profile.
func isDemo(name string) bool { return name == ProfileName }

// List returns the demo profile, then the real profiles (a real profile
// named like the demo one is hidden while the demo runs).
func (p *Profiles) List() []storage.Profile {
	list := p.Demo.List()
	for _, r := range p.Real.List() {
		if !isDemo(r.Name) {
			list = append(list, r)
		}
	}
	return list
}

// manager returns the manager that owns the named profile.
func (p *Profiles) manager(name string) *desk.Manager {
	if isDemo(name) {
		return p.Demo
	}
	return p.Real
}

// Keeper returns the named profile's keeper from the manager that owns it.
func (p *Profiles) Keeper(ctx context.Context, name string) (*keeper.Keeper, error) {
	return p.manager(name).Keeper(ctx, name)
}

// SaveProfile stores pr as SaveProfileNotice does, without the notice.
func (p *Profiles) SaveProfile(ctx context.Context, pr storage.Profile, clientSecret string) error {
	_, err := p.SaveProfileNotice(ctx, pr, clientSecret)
	return err
}

// SaveProfileNotice stores pr: the demo profile in the demo, any other
// profile in the user's real configuration (and its client secret in the
// real keyring). The notice is desk.Manager.SaveProfileNotice's: non-empty
// when the change ended the profile's session.
func (p *Profiles) SaveProfileNotice(ctx context.Context, pr storage.Profile, clientSecret string) (notice string, err error) {
	if !isDemo(pr.Name) {
		pr.Demo = false // a real profile never carries the sandbox marker
	}
	return p.manager(pr.Name).SaveProfileNotice(ctx, pr, clientSecret)
}

// RemoveProfile removes the named profile from the store that owns it.
func (p *Profiles) RemoveProfile(ctx context.Context, name string) error {
	return p.manager(name).RemoveProfile(ctx, name)
}

// KeepAlive runs the background refreshers of both stores until ctx ends,
// so a real profile added from demo mode is kept alive at once.
func (p *Profiles) KeepAlive(ctx context.Context) {
	go p.Real.KeepAlive(ctx)
	p.Demo.KeepAlive(ctx)
}

// PokeAll asks every keeper of both stores to check its session now.
func (p *Profiles) PokeAll() {
	p.Demo.PokeAll()
	p.Real.PokeAll()
}

// Resolve returns the named profile from the store that owns it.
func (p *Profiles) Resolve(name string) (storage.Profile, error) {
	return p.manager(name).Resolve(name)
}

// Client builds a profile's oauth client with the store that owns it (its
// client secret lives in that store's secrets).
func (p *Profiles) Client(pr storage.Profile) (*oauth.Client, error) {
	return p.manager(pr.Name).Client(pr)
}
