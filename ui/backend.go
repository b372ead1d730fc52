// Package ui is Token Desk's desktop window: it shows every profile's
// DocuSign session as the keeper publishes it (and computes no session fact
// of its own), hands out access tokens, drives the browser
// login and edits profiles. It talks to the rest of the program only through
// the Profiles and Session interfaces below; it does no HTTP itself.
package ui

import (
	"context"
	"strconv"
	"time"

	"fyne.io/fyne/v2"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/storage"
)

// Session is one profile's live session as the window sees it.
type Session interface {
	// Status returns the current snapshot.
	Status() keeper.Status
	// Subscribe calls fn, from any goroutine, on every change until cancel
	// is called.
	Subscribe(fn func(keeper.Status)) (cancel func())
	// Token returns a valid access token, refreshing first if less than
	// minValid is left.
	Token(ctx context.Context, minValid time.Duration) (string, error)
	// Refresh refreshes the access token now.
	Refresh(ctx context.Context) error
	// Login blocks until the browser login completes, fails or ctx is
	// cancelled; onURL is called once with the consent URL.
	Login(ctx context.Context, onURL func(authURL string)) error
	// Logout forgets the tokens on this computer (it revokes nothing).
	Logout(ctx context.Context) error
	// Activity returns the activity log, newest first.
	Activity() []keeper.Activity
}

// Profiles manages profiles and hands out their sessions.
type Profiles interface {
	// List returns the configured profiles.
	List() []storage.Profile
	// Session returns the named profile's session.
	Session(name string) (Session, error)
	// Save creates or replaces a profile; clientSecret "" keeps an existing
	// secret if p.HasSecret. The notice, if not empty, is a sentence for the
	// user about what saving did beyond storing the profile: changing an
	// existing profile's environment, base URL or integration key ends its
	// session (desk.Manager.SaveProfileNotice).
	Save(p storage.Profile, clientSecret string) (notice string, err error)
	// Remove deletes a profile and its stored secrets.
	Remove(name string) error
}

// Options tunes the window; zero values mean defaults.
type Options struct {
	// Now is the clock for countdowns (tests inject a fake); default time.Now.
	Now func() time.Time
	// OpenURL opens the system browser; default fyne.App.OpenURL.
	OpenURL func(u string) error
	// ClipboardClear is how long a copied token stays on the clipboard;
	// default 30s.
	ClipboardClear time.Duration
	// Initial is the profile to show first; default the first listed.
	Initial string
	// DemoNote, if non-empty, is shown in a banner while the demo's local
	// sandbox profile (storage.Profile.Demo) is shown, never over a real
	// profile. Keep it to one line: it sits above the session.
	DemoNote string
	// Quit ends the app, keepers included (menu, Ctrl+Q); default
	// fyne.App.Quit.
	Quit func()
	// Autostart, if set, backs the "Start at login" switch and the one-time
	// offer after the first login of a real profile (quit.go).
	Autostart Autostart
	// StorageWarnings are what opening the configuration had to tell the
	// user (a directory made private, keyring entries still to move); the
	// window shows them once, when it is first shown.
	StorageWarnings []string
}

// TokenMinValid is how long a copied access token must stay valid; with
// less left, the session refreshes before handing it out (the keeper caps it
// to a fraction of a short token lifetime). The clipboard's default is
// storage.DefaultClipboardClear.
const TokenMinValid = 5 * time.Minute

func (o Options) withDefaults(a fyne.App) Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.OpenURL == nil {
		o.OpenURL = func(s string) error {
			u, err := parseHTTPURL(s)
			if err != nil {
				return err
			}
			return a.OpenURL(u)
		}
	}
	if o.ClipboardClear <= 0 {
		o.ClipboardClear = storage.DefaultClipboardClear
	}
	return o
}

// userScale is the scale Fyne's desktop driver applies on top of the
// screen's own: FYNE_SCALE if set, else the app's setting.
func userScale(a fyne.App, getenv func(string) string) float32 {
	if v, err := strconv.ParseFloat(getenv("FYNE_SCALE"), 32); err == nil && v > 0 {
		return float32(v)
	}
	return a.Settings().Scale()
}

// defaultWindowSize is the window's opening size in Fyne's logical units at
// the given scale: as large as is comfortable, but never larger than a
// 1024×700 screen at 1× or a 1280×900 screen at 2× (less the title bar and
// a panel). Content scrolls below that.
func defaultWindowSize(scale float32) fyne.Size {
	if scale <= 0 {
		scale = 1
	}
	w, h := float32(900), float32(640)
	if fit := 1240 / scale; w > fit {
		w = fit
	}
	if fit := 860 / scale; h > fit {
		h = fit
	}
	return fyne.NewSize(w, h)
}
