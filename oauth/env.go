package oauth

import (
	"fmt"
	"net/url"
	"strings"
)

// Environment names a DocuSign account server: "demo", "production", or the
// base URL of any DocuSign-compatible server (such as the local sandbox).
type Environment string

// The two DocuSign account servers.
const (
	Demo       Environment = "demo"
	Production Environment = "production"
)

// Base URLs of DocuSign's account servers (shared notes §1).
const (
	DemoBaseURL       = "https://account-d.docusign.com"
	ProductionBaseURL = "https://account.docusign.com"
)

// Endpoints are the three account-server URLs Token Desk uses.
type Endpoints struct {
	// AuthURL is the browser consent page (GET /oauth/auth).
	AuthURL string
	// TokenURL takes authorization_code and refresh_token grants (POST /oauth/token).
	TokenURL string
	// UserInfoURL returns the user and their accounts (GET /oauth/userinfo).
	UserInfoURL string
}

// ParseEnvironment accepts "demo", "production" (also "prod") or an http(s)
// base URL without query or fragment, and returns it in canonical form.
func ParseEnvironment(s string) (Environment, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "demo":
		return Demo, nil
	case "production", "prod":
		return Production, nil
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("environment %q is not demo, production or an http(s) base URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("environment URL %q must not carry user info, a query or a fragment", s)
	}
	return Environment(strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/")), nil
}

// BaseURL returns the account server's base URL, without a trailing slash.
func (e Environment) BaseURL() string {
	switch e {
	case Demo, "":
		return DemoBaseURL
	case Production:
		return ProductionBaseURL
	}
	return strings.TrimRight(string(e), "/")
}

// Endpoints returns the environment's authorize, token and userinfo URLs.
func (e Environment) Endpoints() Endpoints {
	b := e.BaseURL()
	return Endpoints{AuthURL: b + "/oauth/auth", TokenURL: b + "/oauth/token", UserInfoURL: b + "/oauth/userinfo"}
}

// IsProduction reports whether tokens from this environment act on real,
// billable DocuSign accounts.
func (e Environment) IsProduction() bool { return e == Production }

// Label is the short badge text a user interface shows: DEMO, PRODUCTION or
// the custom server's host.
func (e Environment) Label() string {
	switch e {
	case Demo, "":
		return "DEMO"
	case Production:
		return "PRODUCTION"
	}
	if u, err := url.Parse(string(e)); err == nil && u.Host != "" {
		return u.Host
	}
	return string(e)
}
