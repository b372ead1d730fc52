package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
)

// CurrentVersion is the config file format this build reads and writes.
const CurrentVersion = 1

// EnvConfigDir names the environment variable that overrides the config
// directory (and with it, through KeyringNamespace, the keyring namespace).
const EnvConfigDir = "TOKENDESK_CONFIG_DIR"

// Defaults of the Settings fields, used when a field is zero.
const (
	DefaultClipboardClear = 30 * time.Second
	DefaultWarnHorizon    = 3 * 24 * time.Hour
	DefaultRefreshLead    = 10 * time.Minute
	DefaultKeepAlive      = 24 * time.Hour
)

// Settings are the user's preferences. A zero duration means the default;
// use Effective to read them.
type Settings struct {
	// CurrentProfile is the profile used when none is named.
	CurrentProfile string `json:"current_profile,omitempty"`
	// ClipboardClear is how long a copied token stays on the clipboard.
	ClipboardClear Duration `json:"clipboard_clear,omitempty"`
	// WarnHorizon is how long before the refresh token dies a warning shows.
	WarnHorizon Duration `json:"warn_horizon,omitempty"`
	// RefreshLead is how long before the access token expires it is refreshed.
	RefreshLead Duration `json:"refresh_lead,omitempty"`
	// KeepAlive is the longest interval between refreshes, so that the
	// refresh token keeps being rotated while idle.
	KeepAlive Duration `json:"keep_alive,omitempty"`
	// AutostartOffered records that the window has offered to start Token
	// Desk at login; it offers that once, and never switches it on itself.
	AutostartOffered bool `json:"autostart_offered,omitempty"`
}

// Effective returns the settings with every zero (or negative) duration
// replaced by its default.
func (s Settings) Effective() Settings {
	def := func(d *Duration, v time.Duration) {
		if *d <= 0 {
			*d = Duration(v)
		}
	}
	def(&s.ClipboardClear, DefaultClipboardClear)
	def(&s.WarnHorizon, DefaultWarnHorizon)
	def(&s.RefreshLead, DefaultRefreshLead)
	def(&s.KeepAlive, DefaultKeepAlive)
	return s
}

// Config is the content of config.json: everything Token Desk keeps that is
// not a secret. The tokens of Sessions are tagged json:"-" and never
// written; they live in the keyring.
type Config struct {
	// Version is the file format version (CurrentVersion when written).
	Version int `json:"version"`
	// Settings are the user's preferences.
	Settings Settings `json:"settings"`
	// Profiles are the configured integrations, in display order.
	Profiles []Profile `json:"profiles"`
	// Sessions holds the session metadata by profile name.
	Sessions map[string]*oauth.Session `json:"sessions"`
	// KeyringNamespace is the keyring namespace the profiles' secrets were
	// moved to by OpenDir (see KeyringNamespace); empty until then.
	KeyringNamespace string `json:"keyring_namespace,omitempty"`
}

// Clone returns a deep copy: callers may change it freely.
func (c *Config) Clone() *Config {
	n := *c
	n.Profiles = make([]Profile, len(c.Profiles))
	for i, p := range c.Profiles {
		p.Ports = slices.Clone(p.Ports)
		p.Scopes = slices.Clone(p.Scopes)
		n.Profiles[i] = p
	}
	n.Sessions = make(map[string]*oauth.Session, len(c.Sessions))
	for k, v := range c.Sessions {
		n.Sessions[k] = v.Clone()
	}
	return &n
}

// NewConfig returns an empty config at CurrentVersion.
func NewConfig() *Config {
	return &Config{Version: CurrentVersion, Profiles: []Profile{}, Sessions: map[string]*oauth.Session{}}
}

// DefaultDir returns $TOKENDESK_CONFIG_DIR (made absolute) with overridden
// true, or else os.UserConfigDir()/tokendesk.
func DefaultDir() (dir string, overridden bool, err error) {
	if d := os.Getenv(EnvConfigDir); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return "", true, fmt.Errorf("resolve %s=%q: %w", EnvConfigDir, d, err)
		}
		return abs, true, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", false, fmt.Errorf("find the user config directory (set %s to choose one): %w", EnvConfigDir, err)
	}
	return filepath.Join(base, "tokendesk"), false, nil
}

// Profile returns a pointer to the named profile inside c, so that an
// Update function can change it in place.
func (c *Config) Profile(name string) (*Profile, bool) {
	for i := range c.Profiles {
		if c.Profiles[i].Name == name {
			return &c.Profiles[i], true
		}
	}
	return nil, false
}

// ProfileNames returns the profile names in order.
func (c *Config) ProfileNames() []string {
	names := make([]string, len(c.Profiles))
	for i, p := range c.Profiles {
		names[i] = p.Name
	}
	return names
}

// ErrNoProfile is wrapped by ResolveProfile's errors.
var ErrNoProfile = errors.New("no such profile")

// ResolveProfile picks the profile a command acts on. A non-empty name must
// exist. An empty name means Settings.CurrentProfile when that exists, else
// the only profile; otherwise the error lists the names to choose from.
func (c *Config) ResolveProfile(name string) (*Profile, error) {
	names := strings.Join(c.ProfileNames(), ", ")
	if name != "" {
		if p, ok := c.Profile(name); ok {
			return p, nil
		}
		if len(c.Profiles) == 0 {
			return nil, fmt.Errorf("profile %q does not exist and no profiles are configured yet; add one first: %w", name, ErrNoProfile)
		}
		return nil, fmt.Errorf("profile %q does not exist (profiles: %s): %w", name, names, ErrNoProfile)
	}
	if cur := c.Settings.CurrentProfile; cur != "" {
		if p, ok := c.Profile(cur); ok {
			return p, nil
		}
	}
	switch len(c.Profiles) {
	case 0:
		return nil, fmt.Errorf("no profiles are configured yet; add one first: %w", ErrNoProfile)
	case 1:
		return &c.Profiles[0], nil
	}
	return nil, fmt.Errorf("several profiles exist (%s); choose one with -p NAME: %w", names, ErrNoProfile)
}
