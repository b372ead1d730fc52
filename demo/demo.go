// Package demo runs Token Desk against its built-in DocuSign sandbox, with
// lifetimes of minutes instead of hours, so a newcomer sees login, the
// countdown, auto-refresh, rotation and a re-login prompt within minutes and
// without a DocuSign account. Its secrets live in memory only: they are fake
// tokens of a local server that dies with the process.
package demo

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
	"github.com/tokendesk/tokendesk/storage"
)

// ProfileName is the demo profile's name.
const ProfileName = "demo"

// Lifetimes of the demo: short enough to watch everything happen.
const (
	AccessTTL   = 2 * time.Minute
	RefreshTTL  = 10 * time.Minute
	RefreshLead = 30 * time.Second
	// RevokeAfter is when the demo sandbox revokes the consent after each
	// login, as an admin might at DocuSign, so the re-login prompt shows.
	RevokeAfter = 5 * time.Minute
)

// Note is the banner text the window shows in demo mode.
// It fits one line of the window at 1× on a 1024-pixel screen and at 2× on
// a 1280-pixel one (ui shows it only while the demo profile is shown).
const Note = "Local sandbox: 2-min tokens, consent revoked 5 min after login. + adds a real profile."

// Demo is a running demo: a sandbox server and a manager over a throwaway
// config dir with in-memory secrets.
type Demo struct {
	// Manager holds the demo profile.
	Manager *desk.Manager
	// Sandbox is the local authorization server.
	Sandbox *sandbox.Server
	dir     string
	mu      sync.Mutex
	revoke  *time.Timer
	cancel  func()
	stop    chan struct{} // ends the control file watch
}

// Options tune Start; zero values mean the constants above.
type Options struct {
	// AutoAccept skips the sandbox's consent page.
	AutoAccept bool
	// RevokeAfter is when consent is revoked after each login.
	RevokeAfter time.Duration
	// Control, if set, is a file whose commands ("outage N", "revoke")
	// make the sandbox fail token requests or revoke consent on demand.
	Control string
}

// OptionsFromEnv reads TOKENDESK_DEMO_AUTO_ACCEPT=1,
// TOKENDESK_DEMO_REVOKE_AFTER (a Go duration such as 20s) and
// TOKENDESK_DEMO_CONTROL (a control file, see Options.Control), which let a
// scripted walk through the demo skip the consent page and show the
// retrying and re-login states when it wants them.
func OptionsFromEnv(getenv func(string) string) (Options, error) {
	o := Options{AutoAccept: getenv("TOKENDESK_DEMO_AUTO_ACCEPT") == "1", Control: getenv("TOKENDESK_DEMO_CONTROL")}
	if v := getenv("TOKENDESK_DEMO_REVOKE_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return o, fmt.Errorf("TOKENDESK_DEMO_REVOKE_AFTER=%q is not a positive duration such as 20s", v)
		}
		o.RevokeAfter = d
	}
	return o, nil
}

// Start starts the sandbox and the demo profile.
func Start(ctx context.Context, opt Options) (*Demo, error) {
	if opt.RevokeAfter == 0 {
		opt.RevokeAfter = RevokeAfter
	}
	srv, err := sandbox.NewServer(sandbox.Options{AccessTTL: AccessTTL, RefreshTTL: RefreshTTL, AutoAccept: opt.AutoAccept})
	if err != nil {
		return nil, fmt.Errorf("start the demo sandbox: %w", err)
	}
	dir, err := os.MkdirTemp("", "tokendesk-demo-")
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("create the demo config dir: %w", err)
	}
	store := storage.Open(dir)
	d := &Demo{Sandbox: srv, dir: dir,
		Manager: desk.NewManager(desk.Options{Store: store, Secrets: storage.NewMemorySecrets()})}
	err = store.Update(ctx, func(c *storage.Config) error {
		c.Settings.RefreshLead = storage.Duration(RefreshLead)
		c.Settings.WarnHorizon = storage.Duration(RefreshTTL / 2)
		return nil
	})
	if err == nil {
		err = d.Manager.SaveProfile(ctx, storage.Profile{Name: ProfileName, Environment: srv.URL(),
			IntegrationKey: sandbox.DefaultIntegrationKey, RefreshLifetime: storage.Duration(RefreshTTL), Demo: true}, "")
	}
	var k *keeper.Keeper
	if err == nil {
		k, err = d.Manager.Keeper(ctx, ProfileName)
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	if opt.Control != "" {
		d.stop = make(chan struct{})
		go watchControl(srv, opt.Control, d.stop, func(format string, a ...any) {
			fmt.Fprintf(os.Stderr, "tokendesk: "+format+"\n", a...)
		})
	}
	var last time.Time
	d.cancel = k.Subscribe(func(st keeper.Status) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if st.Session == nil || st.Session.ConsentedAt.Equal(last) {
			return
		}
		last = st.Session.ConsentedAt
		if d.revoke != nil {
			d.revoke.Stop()
		}
		d.revoke = time.AfterFunc(opt.RevokeAfter, srv.RevokeConsent)
	})
	return d, nil
}

// Environment returns the sandbox as an environment.
func (d *Demo) Environment() oauth.Environment { return oauth.Environment(d.Sandbox.URL()) }

// Close stops the sandbox and removes the throwaway config dir.
func (d *Demo) Close() {
	d.mu.Lock()
	if d.revoke != nil {
		d.revoke.Stop()
	}
	if d.stop != nil {
		close(d.stop)
		d.stop = nil
	}
	d.mu.Unlock()
	if d.cancel != nil {
		d.cancel()
	}
	d.Sandbox.Close()
	_ = os.RemoveAll(d.dir)
}
