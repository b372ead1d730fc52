// Command tokendesk keeps a DocuSign OAuth session alive: a desktop window
// (the default), a background app (--background), a GUI-free agent and a
// command line for scripts. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"github.com/pkg/browser"

	"github.com/tokendesk/tokendesk/agent"
	"github.com/tokendesk/tokendesk/cli"
	"github.com/tokendesk/tokendesk/demo"
	"github.com/tokendesk/tokendesk/internal/flock"
	_ "github.com/tokendesk/tokendesk/internal/locale"
	"github.com/tokendesk/tokendesk/internal/trayhost"
	"github.com/tokendesk/tokendesk/internal/x11start"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
	"github.com/tokendesk/tokendesk/ui"
)

// errRaised ends a second `tokendesk` that raised the running one's window.
var errRaised = errors.New("raised")

func main() {
	args := os.Args[1:]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	background := len(args) == 1 && args[0] == "--background"
	window, demoMode := cli.IsWindow(args)
	if !window && !background {
		code := cli.Run(ctx, args, cli.DefaultEnv())
		stop()
		os.Exit(code)
	}
	err := runWindow(ctx, demoMode, background)
	stop()
	switch {
	case errors.Is(err, errRaised):
	case err != nil:
		fmt.Fprintln(os.Stderr, "tokendesk:", err)
		os.Exit(1)
	}
}

// runWindow opens the window on the user's profiles, or on the demo sandbox
// when asked to or when no profile exists yet; in the background, it starts
// with the window hidden. The keepers run, and the local endpoint serves
// them, until the app quits.
func runWindow(ctx context.Context, demoMode, background bool) error {
	m, err := cli.OpenManager()
	if err != nil {
		return err
	}
	cfg, err := m.Config()
	if err != nil {
		return err
	}
	ep := agent.DefaultEndpoint(m.Store().Dir())
	if raised(ctx, ep, background) {
		return errRaised
	}
	if msg := cli.NoDisplay(runtime.GOOS, os.Getenv); msg != "" {
		return errors.New(msg)
	}
	// An X server that resets when its last client leaves drops a client
	// connecting then; GLFW does not retry (docs/x11-open-display.md).
	if err := x11start.Hold(os.Getenv("DISPLAY")); err != nil {
		return err
	}
	// One window per config dir; a second one raises the first (above).
	_ = os.MkdirAll(m.Store().Dir(), 0o700)
	unlock, ok, err := flock.TryLock(filepath.Join(m.Store().Dir(), "window.lock"))
	if err == nil && !ok {
		for i := 0; i < 20; i++ { // the first one may still be starting its endpoint
			time.Sleep(100 * time.Millisecond)
			if raised(ctx, ep, background) {
				return errRaised
			}
		}
		return errors.New("another Token Desk window is already open for this configuration, and it did not answer; it may be hidden in the system tray")
	}
	if err == nil {
		defer unlock()
	}
	var backend agent.Backend = &agent.ManagerBackend{M: m}
	var store profileStore = m
	realM := m
	realStore := m.Store()
	note := ""
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
		m, note, backend = d.Manager, demo.Note, agent.NotServed{}
		if cfg, err = m.Config(); err != nil {
			return err
		}
	}
	browser.Stdout = os.Stderr
	set := cfg.Settings.Effective()
	a := app.NewWithID("io.tokendesk.app")
	var fa fyne.App = a
	tray := trayhost.Available()
	if !tray {
		// No tray icon would show (and Fyne's tray panics on quit without a
		// session bus): hide desktop.App; closing the window hides it below.
		fa = noTray{a}
	}
	w := ui.NewMainWindow(fa, profiles{m: store, ctx: ctx}, ui.Options{
		OpenURL:        browser.OpenURL,
		ClipboardClear: time.Duration(set.ClipboardClear),
		Initial:        set.CurrentProfile,
		DemoNote:       note,
		Autostart:      ui.SystemAutostart{Store: realStore},
		// What opening the real configuration fixed or could not; the
		// command line prints the same on stderr.
		StorageWarnings: realStore.Warnings(),
	})
	show := func() { w.Show(); w.Window().RequestFocus(); m.PokeAll() }
	if !tray {
		keepRunningOnClose(a, w.Window())
	}
	logf := func(format string, a ...any) { fmt.Fprintf(os.Stderr, "tokendesk: "+format+"\n", a...) }
	srv, err := cli.Listen(ep, agent.Options{Kind: agent.KindWindow, Backend: backend, Logf: logf,
		ShowWindow: func() error { fyne.Do(show); return nil }})
	sctx, stopServing := context.WithCancel(ctx)
	served := make(chan struct{})
	if err != nil {
		logf("%v; the window opens without serving scripts", err)
		close(served)
	} else {
		go func() { _ = srv.Serve(sctx); close(served) }()
	}
	// Coming back to the foreground (often after a suspend) re-checks every
	// session at once instead of waiting for the next minute's check.
	a.Lifecycle().SetOnEnteredForeground(store.PokeAll)
	kctx, stopKeepers := context.WithCancel(context.Background())
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
		// Fyne 2.7.1 can deadlock in its own shutdown right after start-up
		// (docs/x11-open-display.md, "a window that does not quit on SIGTERM");
		// a signal must still end the process, once refreshes in flight are saved.
		afterGrace(quitGrace, func() {
			logf("the window did not close within %s of the signal; exiting once refreshes in flight are saved", quitGrace)
			stopKeepers()
			cli.Drain(m, logf)
			if realM != m {
				cli.Drain(realM, logf)
			}
		}, os.Exit)
	}()
	if !background {
		w.Show()
	}
	// The shown profile's keeper exists already; the rest load in the
	// background so many profiles do not delay the first frame.
	go store.KeepAlive(kctx)
	a.Run()
	stopServing()
	<-served
	stopKeepers()
	cli.Drain(m, logf)
	if realM != m { // demo mode: profiles added there refresh on the real manager
		cli.Drain(realM, logf)
	}
	return nil
}

// quitGrace is how long a signalled window may take to close.
const quitGrace = 10 * time.Second

// afterGrace waits grace, then runs drain and exits with code 0: the exit
// that a quit stuck in the toolkit never reaches. A process that quits in
// time never gets here, since main returns first.
func afterGrace(grace time.Duration, drain func(), exit func(int)) {
	time.Sleep(grace)
	drain()
	exit(0)
}

// raised asks a running app of this configuration to show its window. It
// reports true when one did (and says so); an agent, which has no window,
// does not count.
func raised(ctx context.Context, ep agent.Endpoint, background bool) bool {
	cl := agent.NewClient(ep)
	if background {
		info, err := cl.Ping(ctx)
		if err == nil {
			fmt.Fprintf(os.Stderr, "Token Desk already runs for this configuration (%s, pid %d).\n", info.Kind, info.PID)
		}
		return err == nil
	}
	info, err := cl.Raise(ctx)
	if err != nil {
		return false
	}
	fmt.Fprintf(os.Stderr, "Token Desk already runs for this configuration (pid %d); its window was brought to the front.\n", info.PID)
	return true
}

// keepRunningOnClose makes closing the window hide it when there is no tray:
// the keepers keep running, and the first time a notice says how to get the
// window back and how to quit.
func keepRunningOnClose(a fyne.App, win fyne.Window) {
	told := false
	win.SetCloseIntercept(func() {
		win.Hide()
		if !told {
			told = true
			a.SendNotification(fyne.NewNotification("Token Desk keeps running in the background",
				"Your sessions stay alive. To open the window again, run tokendesk (or Token Desk in the app menu). "+
					"To quit, use Quit in the window's menu or Ctrl+Q."))
		}
	})
}

// noTray is a fyne.App that does not offer desktop.App's tray.
type noTray struct{ fyne.App }

// profileStore is what the window needs of the profiles: a desk.Manager, or
// in demo mode demo.Profiles (the demo profile plus the real configuration,
// where profiles added from demo mode are saved).
type profileStore interface {
	List() []storage.Profile
	Keeper(ctx context.Context, name string) (*keeper.Keeper, error)
	SaveProfileNotice(ctx context.Context, p storage.Profile, clientSecret string) (notice string, err error)
	RemoveProfile(ctx context.Context, name string) error
	Resolve(name string) (storage.Profile, error)
	Client(p storage.Profile) (*oauth.Client, error)
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
	// The login pane's "paste the address" fallback needs the client.
	return &ui.KeeperSession{Keeper: k, Client: func() (*oauth.Client, error) {
		pr, err := p.m.Resolve(name)
		if err != nil {
			return nil, err
		}
		return p.m.Client(pr)
	}}, nil
}

func (p profiles) Save(pr storage.Profile, secret string) (notice string, err error) {
	return p.m.SaveProfileNotice(p.ctx, pr, secret)
}

func (p profiles) Remove(name string) error { return p.m.RemoveProfile(p.ctx, name) }
