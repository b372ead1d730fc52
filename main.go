// Command tokendesk keeps a DocuSign OAuth session alive: a desktop window
// (the default) and a command line for scripts. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"github.com/pkg/browser"

	"github.com/tokendesk/tokendesk/cli"
	"github.com/tokendesk/tokendesk/demo"
	"github.com/tokendesk/tokendesk/internal/flock"
	_ "github.com/tokendesk/tokendesk/internal/locale"
	"github.com/tokendesk/tokendesk/internal/trayhost"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/storage"
	"github.com/tokendesk/tokendesk/ui"
)

func main() {
	args := os.Args[1:]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	window, demoMode := cli.IsWindow(args)
	if !window {
		code := cli.Run(ctx, args, cli.DefaultEnv())
		stop()
		os.Exit(code)
	}
	err := runWindow(ctx, demoMode)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tokendesk:", err)
		os.Exit(1)
	}
}

// runWindow opens the window on the user's profiles, or on the demo sandbox
// when asked to or when no profile exists yet.
func runWindow(ctx context.Context, demoMode bool) error {
	m, err := cli.OpenManager()
	if err != nil {
		return err
	}
	cfg, err := m.Config()
	if err != nil {
		return err
	}
	// One window per config dir: a second one would run a second set of
	// background refreshers (safe, thanks to the refresh lock, but pointless).
	_ = os.MkdirAll(m.Store().Dir(), 0o700)
	unlock, ok, err := flock.TryLock(filepath.Join(m.Store().Dir(), "window.lock"))
	if err == nil && !ok {
		return errors.New("another Token Desk window is already open for this configuration; it may be hidden in the system tray")
	}
	if err == nil {
		defer unlock()
	}
	note := ""
	var store profileStore = m
	if demoMode || len(cfg.Profiles) == 0 {
		opt, err := demo.OptionsFromEnv(os.Getenv)
		if err != nil {
			return err
		}
		d, err := demo.Start(ctx, opt)
		if err != nil {
			return err
		}
		defer d.Close()
		// Profiles added from demo mode go to the real configuration.
		store = d.Profiles(m)
		m, note = d.Manager, demo.Note
		if cfg, err = m.Config(); err != nil {
			return err
		}
	}
	browser.Stdout = os.Stderr
	set := cfg.Settings.Effective()
	a := app.NewWithID("io.tokendesk.app")
	var fa fyne.App = a
	if !trayhost.Available() {
		// No tray icon would show (and Fyne's tray panics on quit without a
		// session bus): hiding desktop.App makes closing the window quit
		// instead of hiding it with no way back.
		fa = noTray{a}
	}
	w := ui.NewMainWindow(fa, profiles{m: store, ctx: ctx}, ui.Options{
		OpenURL:        browser.OpenURL,
		ClipboardClear: time.Duration(set.ClipboardClear),
		WarnHorizon:    time.Duration(set.WarnHorizon),
		Initial:        set.CurrentProfile,
		DemoNote:       note,
	})
	// Coming back to the foreground (often after a suspend) re-checks every
	// session at once instead of waiting for the next minute's check.
	a.Lifecycle().SetOnEnteredForeground(store.PokeAll)
	go func() { <-ctx.Done(); fyne.Do(a.Quit) }()
	w.Show()
	// The shown profile's keeper exists already; the rest load in the
	// background so many profiles do not delay the first frame.
	go store.KeepAlive(ctx)
	a.Run()
	return nil
}

// noTray is a fyne.App that does not offer desktop.App's tray.
type noTray struct{ fyne.App }

// profileStore is what the window needs of the profiles: a desk.Manager, or
// in demo mode demo.Profiles (demo profile plus the real configuration).
type profileStore interface {
	List() []storage.Profile
	Keeper(ctx context.Context, name string) (*keeper.Keeper, error)
	SaveProfile(ctx context.Context, p storage.Profile, clientSecret string) error
	RemoveProfile(ctx context.Context, name string) error
	KeepAlive(ctx context.Context)
	PokeAll()
}

// profiles adapts the profile store to the window's Profiles interface.
type profiles struct {
	m   profileStore
	ctx context.Context
}

func (p profiles) List() []storage.Profile { return p.m.List() }

func (p profiles) Session(name string) (ui.Session, error) {
	k, err := p.m.Keeper(p.ctx, name)
	if err != nil {
		return nil, err
	}
	return k, nil
}

func (p profiles) Save(pr storage.Profile, secret string) error {
	return p.m.SaveProfile(p.ctx, pr, secret)
}

func (p profiles) Remove(name string) error { return p.m.RemoveProfile(p.ctx, name) }
