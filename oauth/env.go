package oauth

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
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

// Base URLs of DocuSign's account servers.
const (
	DemoBaseURL       = "https://account-d.docusign.com"
	ProductionBaseURL = "https://account.docusign.com"
)

// EnvInfo describes one environment for people: what a command line's help,
// a profile form's choices and a badge are built from.
type EnvInfo struct {
	// Env is the canonical value stored in a profile.
	Env Environment
	// Name is what a person types (--env demo); for a custom server, its URL.
	Name string
	// Aliases are other accepted spellings of Name (e.g. "prod").
	Aliases []string
	// BaseURL is the account server's base URL, without a trailing slash.
	BaseURL string
	// Label is the short badge text: DEMO, PRODUCTION or the server's host.
	Label string
	// Description is one sentence for a chooser or help text.
	Description string
	// Production is true when tokens act on real, billable accounts.
	Production bool
}

// environments is the one table of DocuSign's account servers.
var environments = []EnvInfo{
	{Env: Demo, Name: "demo", BaseURL: DemoBaseURL, Label: "DEMO",
		Description: "DocuSign's developer environment (account-d.docusign.com): test accounts, nothing is billed"},
	{Env: Production, Name: "production", Aliases: []string{"prod"}, BaseURL: ProductionBaseURL, Label: "PRODUCTION", Production: true,
		Description: "DocuSign production (account.docusign.com): real accounts, real envelopes"},
}

// Environments returns DocuSign's named environments, demo first. Any other
// environment is a base URL (see ParseEnvironment).
func Environments() []EnvInfo {
	out := make([]EnvInfo, len(environments))
	for i, e := range environments {
		e.Aliases = slices.Clone(e.Aliases)
		out[i] = e
	}
	return out
}

// EnvironmentNames returns the named environments' names, demo first,
// joined by sep: what help texts and messages offer besides a base URL.
func EnvironmentNames(sep string) string {
	names := make([]string, len(environments))
	for i, e := range environments {
		names[i] = e.Name
	}
	return strings.Join(names, sep)
}

// Endpoints are the three account-server URLs Token Desk uses.
type Endpoints struct {
	// AuthURL is the browser consent page (GET /oauth/auth).
	AuthURL string
	// TokenURL takes authorization_code and refresh_token grants (POST /oauth/token).
	TokenURL string
	// UserInfoURL returns the user and their accounts (GET /oauth/userinfo).
	UserInfoURL string
}

// ParseEnvironment accepts "demo", "production" (also "prod") or a base URL
// without user info, query or fragment, and returns it in canonical form. A
// URL must be https, or http to a loopback address (127.0.0.0/8, ::1,
// localhost): refresh tokens, codes and client secrets never travel
// unencrypted over a network. A port, if given, must be 1–65535.
func ParseEnvironment(s string) (Environment, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if name == "" {
		return Demo, nil
	}
	for _, e := range environments {
		if name == e.Name || slices.Contains(e.Aliases, name) {
			return e.Env, nil
		}
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", fmt.Errorf("environment %q is not %s or an https base URL", CleanText(s), EnvironmentNames(", "))
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return "", fmt.Errorf("environment URL %q must not carry user info, a query or a fragment", CleanText(s))
	}
	if strings.HasSuffix(u.Host, ":") {
		return "", fmt.Errorf("environment URL %q has an empty port", CleanText(s))
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("environment URL %q has port %s; a port is a number from 1 to 65535", CleanText(s), CleanText(p))
		}
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return "", fmt.Errorf("environment URL %q uses plain http to a remote host, which would send tokens and secrets unencrypted; use https (plain http is allowed only to 127.0.0.1, ::1 or localhost)", CleanText(s))
	}
	return Environment(strings.TrimRight(strings.ToLower(u.Scheme)+"://"+strings.ToLower(u.Host)+u.Path, "/")), nil
}

// isLoopbackHost reports whether host (no port) is localhost or a loopback IP.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// named returns the table entry of a named environment.
func (e Environment) named() (EnvInfo, bool) {
	if e == "" {
		e = Demo
	}
	for _, in := range environments {
		if in.Env == e {
			return in, true
		}
	}
	return EnvInfo{}, false
}

// Info describes the environment. For a custom server, Name and BaseURL are
// its URL, Label its host, and Production false.
func (e Environment) Info() EnvInfo {
	if in, ok := e.named(); ok {
		in.Aliases = slices.Clone(in.Aliases)
		return in
	}
	b := e.BaseURL()
	in := EnvInfo{Env: e, Name: b, BaseURL: b, Label: b, Description: "the account server at " + b}
	if u, err := url.Parse(b); err == nil && u.Host != "" {
		in.Label = u.Host
	}
	if e.IsLoopback() {
		in.Description = "a local account server at " + b + " (such as the local sandbox)"
	}
	return in
}

// BaseURL returns the account server's base URL, without a trailing slash.
func (e Environment) BaseURL() string {
	if in, ok := e.named(); ok {
		return in.BaseURL
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
func (e Environment) IsProduction() bool {
	in, ok := e.named()
	return ok && in.Production
}

// IsDocuSign reports whether the environment is one of DocuSign's own
// account servers (demo or production) rather than a custom URL.
func (e Environment) IsDocuSign() bool {
	_, ok := e.named()
	return ok
}

// IsLoopback reports whether the environment is a server on this machine
// (a base URL whose host is a loopback address), such as the local sandbox.
func (e Environment) IsLoopback() bool {
	if e.IsDocuSign() {
		return false
	}
	u, err := url.Parse(e.BaseURL())
	return err == nil && isLoopbackHost(u.Hostname())
}

// Label is the short badge text a user interface shows: DEMO, PRODUCTION or
// the custom server's host.
func (e Environment) Label() string { return e.Info().Label }

// serverName is how messages name the account server: "DocuSign" for
// DocuSign's own servers, "the account server (URL)" for any other.
func (e Environment) serverName() string {
	if e.IsDocuSign() {
		return "DocuSign"
	}
	return "the account server (" + e.BaseURL() + ")"
}

// ServerName is how messages name the account server: "DocuSign" for
// DocuSign's own servers, "the account server (URL)" for any other.
func (e Environment) ServerName() string { return e.serverName() }

// shortName names the server where the sentence already gave its URL:
// "DocuSign" or "the account server".
func (e Environment) shortName() string {
	if e.IsDocuSign() {
		return "DocuSign"
	}
	return "the account server"
}
