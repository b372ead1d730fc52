package ui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// ProfileForm is the profile dialog's raw input.
type ProfileForm struct {
	// Name is the profile name.
	Name string
	// IntegrationKey is the DocuSign integration key (a GUID).
	IntegrationKey string
	// Environment is "demo", "production" or a custom base URL.
	Environment string
	// Ports is a comma- or space-separated list of loopback redirect ports.
	Ports string
	// Scopes is a space-separated list of scopes, without "extended".
	Scopes string
	// Extended adds the extended scope (sliding refresh-token lifetime).
	Extended bool
}

// validateName checks a profile name.
func validateName(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return errors.New("name is required")
	}
	return storage.ValidateName(s)
}

// validateIntegrationKey checks a DocuSign integration key.
func validateIntegrationKey(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return errors.New("integration key is required")
	}
	return storage.ValidateIntegrationKey(s)
}

// parsePorts parses a port list; empty input is an error.
func parsePorts(s string) ([]int, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\t' })
	if len(fields) == 0 {
		return nil, errors.New("at least one redirect port is required")
	}
	var ports []int
	for _, f := range fields {
		p, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("port %q is not a number", f)
		}
		ports = append(ports, p)
	}
	return ports, storage.ValidatePorts(ports)
}

// parseScopes parses the scope list and adds extended if asked.
func parseScopes(s string, extended bool) ([]string, error) {
	var scopes []string
	for _, sc := range strings.Fields(s) {
		if err := storage.ValidateScope(sc); err != nil {
			return nil, err
		}
		if sc == oauth.ScopeExtended {
			continue // governed by the checkbox
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 {
		return nil, errors.New(`at least one scope is required (normally "signature")`)
	}
	if extended {
		scopes = append(scopes, oauth.ScopeExtended)
	}
	return scopes, nil
}

// ValidateProfileForm checks the profile dialog's input and returns the
// profile it describes, or an error whose text says what to fix. HasSecret,
// RefreshLifetime and Demo are left for the caller to carry over.
func ValidateProfileForm(f ProfileForm) (storage.Profile, error) {
	if err := validateName(f.Name); err != nil {
		return storage.Profile{}, err
	}
	if err := validateIntegrationKey(f.IntegrationKey); err != nil {
		return storage.Profile{}, err
	}
	env, err := oauth.ParseEnvironment(f.Environment)
	if err != nil {
		return storage.Profile{}, err
	}
	ports, err := parsePorts(f.Ports)
	if err != nil {
		return storage.Profile{}, err
	}
	scopes, err := parseScopes(f.Scopes, f.Extended)
	if err != nil {
		return storage.Profile{}, err
	}
	return storage.Profile{
		Name:           strings.TrimSpace(f.Name),
		Environment:    string(env),
		IntegrationKey: strings.ToLower(strings.TrimSpace(f.IntegrationKey)),
		Ports:          ports,
		Scopes:         scopes,
	}, nil
}
