package storage

import (
	"encoding/json"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
)

// Profile is one DocuSign integration Token Desk keeps a session for. It holds
// no secret: the client secret, if any, lives in the keyring and HasSecret
// records that it does.
type Profile struct {
	// Name identifies the profile (letters, digits, '.', '_' and '-').
	Name string `json:"name"`
	// Environment is "demo", "production" or a base URL, always saved in
	// the canonical form oauth.ParseEnvironment gives ("Prod" is saved as
	// "production"); Env parses it.
	Environment string `json:"environment"`
	// IntegrationKey is the DocuSign integration key (client ID, a GUID).
	IntegrationKey string `json:"integration_key"`
	// HasSecret says a client secret is stored in the keyring: the profile
	// is a confidential client. Without one it is a public (PKCE) client.
	HasSecret bool `json:"has_secret,omitempty"`
	// Ports are the loopback redirect ports tried in order; each one is a
	// redirect URI http://127.0.0.1:PORT/callback registered at DocuSign.
	Ports []int `json:"ports,omitempty"`
	// Scopes requested at consent; empty means "signature extended".
	Scopes []string `json:"scopes,omitempty"`
	// RefreshLifetime overrides the refresh-token lifetime used for
	// estimates (0 = oauth.DefaultRefreshLifetime).
	RefreshLifetime Duration `json:"refresh_lifetime,omitempty"`
	// Demo marks the built-in sandbox profile of demo mode.
	Demo bool `json:"demo,omitempty"`
}

// canonicalize puts every profile's environment in canonical form; one that
// does not parse is left as it is, for ValidateProfile to report.
func canonicalize(c *Config) {
	for i := range c.Profiles {
		if env, err := oauth.ParseEnvironment(c.Profiles[i].Environment); err == nil {
			c.Profiles[i].Environment = string(env)
		}
	}
}

// Duration is a time.Duration written as a Go duration string ("720h").
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string such as "720h" or "30m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
