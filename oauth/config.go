package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Defaults for Config's zero values.
const (
	DefaultHTTPTimeout  = 30 * time.Second
	DefaultLoginTimeout = 3 * time.Minute
	CallbackPath        = "/callback"
)

// DefaultPorts are the loopback redirect ports tried in order when a profile
// names none; each must be registered at DocuSign as
// http://127.0.0.1:PORT/callback.
var DefaultPorts = []int{8765, 8766, 8767}

// RedirectURI returns the redirect URI registered for a loopback port.
func RedirectURI(port int) string { return fmt.Sprintf("http://127.0.0.1:%d%s", port, CallbackPath) }

// Config describes one DocuSign integration as a client of the account server.
type Config struct {
	// Environment selects the account server (demo, production or a URL).
	Environment Environment
	// IntegrationKey is the app's integration key (OAuth client_id).
	IntegrationKey string
	// ClientSecret is optional. With it Token Desk is a confidential client
	// and authenticates with an HTTP Basic header; without it, a public client
	// that sends client_id in the body. PKCE is used either way.
	ClientSecret string
	// Scopes requested at consent; nil means DefaultScopes.
	Scopes []string
	// Ports are the loopback redirect ports tried in order; nil means DefaultPorts.
	Ports []int
	// PromptLogin adds prompt=login so the user can switch DocuSign accounts.
	PromptLogin bool
	// HTTPTimeout bounds every HTTP call; zero means DefaultHTTPTimeout.
	HTTPTimeout time.Duration
	// LoginTimeout bounds the wait for the browser callback; zero means
	// DefaultLoginTimeout.
	LoginTimeout time.Duration
	// Transport is the HTTP transport to use; nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Public reports whether the client has no secret (public client, PKCE only).
func (c Config) Public() bool { return c.ClientSecret == "" }

func (c *Config) scopes() []string {
	if len(c.Scopes) == 0 {
		return slices.Clone(DefaultScopes)
	}
	return slices.Clone(c.Scopes)
}

func (c *Config) ports() []int {
	if len(c.Ports) == 0 {
		return slices.Clone(DefaultPorts)
	}
	return slices.Clone(c.Ports)
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC()
	}
	return time.Now().UTC()
}

// validate checks what can be checked before talking to DocuSign.
func (c *Config) validate() error {
	if !c.Environment.IsDocuSign() {
		if _, err := ParseEnvironment(string(c.Environment)); err != nil {
			return err
		}
	}
	if strings.TrimSpace(c.IntegrationKey) == "" {
		return errors.New("the integration key is empty: copy it from the Apps and Keys page of your DocuSign admin settings")
	}
	for _, s := range c.scopes() {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return fmt.Errorf("scope %q is not a single word", s)
		}
	}
	for _, p := range c.ports() {
		if p < 1 || p > 65535 {
			return fmt.Errorf("redirect port %d is out of range", p)
		}
	}
	return nil
}

// oauth2Config builds the x/oauth2 configuration for one redirect URI. The
// AuthStyle is always explicit: auto-detection may send a token request twice
// and burn a single-use code or refresh token.
func (c *Config) oauth2Config(redirectURI string) *oauth2.Config {
	ep := c.Environment.Endpoints()
	style := oauth2.AuthStyleInHeader
	if c.Public() {
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     c.IntegrationKey,
		ClientSecret: c.ClientSecret,
		RedirectURL:  redirectURI,
		Scopes:       c.scopes(),
		Endpoint:     oauth2.Endpoint{AuthURL: ep.AuthURL, TokenURL: ep.TokenURL, AuthStyle: style},
	}
}
