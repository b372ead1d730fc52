package storage

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
)

// MaxPorts is how many redirect ports a profile may list.
const MaxPorts = 5

// The redirect ports a profile may list: MinPort to MaxPort. Ports below
// 1024 are privileged on most systems, so Token Desk could not listen on
// them. This is the rule a person sees; oauth only checks that a port is a
// port at all.
const (
	MinPort = 1024
	MaxPort = 65535
)

var (
	namePattern  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	guidPattern  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	scopePattern = regexp.MustCompile(`^[a-z_.]+$`)
)

// FieldError is a validation failure of one profile field. Its message
// names the field and says what is accepted.
type FieldError struct {
	// Field is the JSON name of the field: "name", "integration_key",
	// "environment", "ports", "scopes" or "refresh_lifetime".
	Field string
	// Msg is the person-readable sentence.
	Msg string
}

// Error returns Msg.
func (e *FieldError) Error() string { return e.Msg }

func fieldErr(field, format string, a ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// reservedNames are the device names Windows reserves in every directory,
// with or without an extension: a profile name becomes a file name (its
// activity log), so these are refused on every system.
var reservedNames = func() map[string]bool {
	m := map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true}
	for d := '0'; d <= '9'; d++ {
		m["COM"+string(d)] = true
		m["LPT"+string(d)] = true
	}
	return m
}()

// ValidateName checks a profile name: 1 to 64 letters, digits, '.', '_' or
// '-', starting with a letter or a digit (so never "." or ".."), and not a
// device name Windows reserves (CON, PRN, AUX, NUL, COM0–COM9, LPT0–LPT9, in
// any case, with or without an extension, such as "con.prod").
func ValidateName(name string) error {
	if !namePattern.MatchString(name) {
		return fieldErr("name", "profile name %q is not valid: use 1 to 64 letters, digits, '.', '_' or '-'", name)
	}
	if c := name[0]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
		return fieldErr("name", "profile name %q is not valid: it must start with a letter or a digit", name)
	}
	base, _, _ := strings.Cut(name, ".")
	if reservedNames[strings.ToUpper(base)] {
		return fieldErr("name", "profile name %q is not valid: %s is a device name Windows reserves; choose another name, such as %s-1", name, strings.ToUpper(base), strings.ToLower(base))
	}
	return nil
}

// ValidateIntegrationKey checks that key looks like a DocuSign integration key.
func ValidateIntegrationKey(key string) error {
	if !guidPattern.MatchString(key) {
		return fieldErr("integration_key", "integration key %q is not a GUID like 1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f; copy it from the Apps and Keys page of DocuSign eSignature Settings", key)
	}
	return nil
}

// ValidatePorts checks a list of loopback redirect ports.
func ValidatePorts(ports []int) error {
	if len(ports) > MaxPorts {
		return fieldErr("ports", "redirect ports: %d given, at most %d are allowed", len(ports), MaxPorts)
	}
	for i, port := range ports {
		if port < MinPort || port > MaxPort {
			return fieldErr("ports", "redirect port %d is not between %d and %d", port, MinPort, MaxPort)
		}
		if slices.Contains(ports[:i], port) {
			return fieldErr("ports", "redirect port %d is listed twice", port)
		}
	}
	return nil
}

// ParsePorts parses a list of redirect ports as a person types it, in the
// command line's --ports or the profile form: numbers separated by commas,
// semicolons, spaces or tabs, in any mix ("8765, 8766;8767"). The list is
// checked with ValidatePorts. An empty list (nothing but separators) gives
// nil: the profile then uses DefaultPorts. Errors are *FieldError for the
// field "ports".
func ParsePorts(s string) ([]int, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' })
	if len(fields) == 0 {
		return nil, nil
	}
	ports := make([]int, 0, len(fields))
	for _, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fieldErr("ports", "redirect port %q is not a number; list ports such as 8765, 8766 (separated by commas, semicolons or spaces)", f)
		}
		ports = append(ports, n)
	}
	if err := ValidatePorts(ports); err != nil {
		return nil, err
	}
	return ports, nil
}

// ValidateScope checks one scope name.
func ValidateScope(scope string) error {
	if !scopePattern.MatchString(scope) {
		return fieldErr("scopes", "scope %q is not valid: scopes are lowercase words such as signature or extended (letters, '_' and '.')", scope)
	}
	return nil
}

// ValidateProfile checks a profile and returns its first problem as a
// *FieldError, or nil.
func ValidateProfile(p Profile) error {
	if err := ValidateName(p.Name); err != nil {
		return err
	}
	if err := ValidateIntegrationKey(p.IntegrationKey); err != nil {
		return err
	}
	if _, err := oauth.ParseEnvironment(p.Environment); err != nil {
		return fieldErr("environment", "environment: %v", err)
	}
	if err := ValidatePorts(p.Ports); err != nil {
		return err
	}
	for _, s := range p.Scopes {
		if err := ValidateScope(s); err != nil {
			return err
		}
	}
	if p.RefreshLifetime < 0 {
		return fieldErr("refresh_lifetime", "refresh lifetime %s is negative", p.RefreshLifetime)
	}
	return nil
}

// String returns the duration as Go writes it ("720h0m0s").
func (d Duration) String() string { return time.Duration(d).String() }

// DefaultPorts returns the loopback redirect ports used when a profile names
// none.
func DefaultPorts() []int { return slices.Clone(oauth.DefaultPorts) }

// RedirectURI returns the redirect URI of a loopback port, exactly as it
// must be registered at DocuSign.
func RedirectURI(port int) string { return oauth.RedirectURI(port) }

// RedirectPorts returns the profile's ports, or DefaultPorts when it has none.
func (p Profile) RedirectPorts() []int {
	if len(p.Ports) == 0 {
		return DefaultPorts()
	}
	return slices.Clone(p.Ports)
}

// RequestedScopes returns the profile's scopes, or oauth.DefaultScopes.
func (p Profile) RequestedScopes() []string {
	if len(p.Scopes) == 0 {
		return slices.Clone(oauth.DefaultScopes)
	}
	return slices.Clone(p.Scopes)
}

// Env returns the profile's environment in canonical form.
func (p Profile) Env() (oauth.Environment, error) { return oauth.ParseEnvironment(p.Environment) }

// ScopeString returns the requested scopes joined by spaces.
func (p Profile) ScopeString() string { return strings.Join(p.RequestedScopes(), " ") }
