package ui

import (
	"errors"
	"slices"
	"strings"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// The profile form's fields, named as storage.FieldError names them.
const (
	fieldName        = "name"
	fieldKey         = "integration_key"
	fieldEnvironment = "environment"
	fieldPorts       = "ports"
	fieldScopes      = "scopes"
)

// formFields lists the validated fields in the order the form shows them.
var formFields = []string{fieldName, fieldKey, fieldEnvironment, fieldPorts, fieldScopes}

// ProfileForm is the profile dialog's raw input.
type ProfileForm struct {
	// Name is the profile name.
	Name string
	// IntegrationKey is the DocuSign integration key (a GUID).
	IntegrationKey string
	// Environment is a named environment ("demo", "production") or a base URL.
	Environment string
	// Ports is a list of loopback redirect ports, as storage.ParsePorts
	// reads it; empty means the default ports.
	Ports string
	// Scopes is a space-separated list of scopes; "extended" is governed by
	// Extended.
	Scopes string
	// Extended adds the extended scope (sliding refresh-token lifetime).
	Extended bool
}

// FormErrors maps a field (storage.FieldError's Field names) to what is wrong
// with it.
type FormErrors map[string]error

// First returns the problem of the first invalid field in form order, or nil.
func (e FormErrors) First() error {
	for _, f := range formFields {
		if err := e[f]; err != nil {
			return err
		}
	}
	return nil
}

// ValidateProfileForm turns the form's input into a profile, checking every
// field with storage's rules (the same the command line applies), and
// returns the problem of each invalid field. HasSecret, RefreshLifetime and
// Demo are left for the caller to carry over.
func ValidateProfileForm(f ProfileForm) (storage.Profile, FormErrors) {
	errs := FormErrors{}
	p := storage.Profile{
		Name:           strings.TrimSpace(f.Name),
		IntegrationKey: strings.ToLower(strings.TrimSpace(f.IntegrationKey)),
	}
	if p.Name == "" {
		errs[fieldName] = errors.New("enter a name for this profile, such as acme-prod")
	} else if err := storage.ValidateName(p.Name); err != nil {
		errs[fieldName] = err
	}
	if p.IntegrationKey == "" {
		errs[fieldKey] = errors.New("enter the integration key (a GUID) from Apps and Keys in DocuSign's settings")
	} else if err := storage.ValidateIntegrationKey(p.IntegrationKey); err != nil {
		errs[fieldKey] = err
	}
	if env, err := oauth.ParseEnvironment(f.Environment); err != nil {
		errs[fieldEnvironment] = err
	} else {
		p.Environment = string(env)
	}
	if ports, err := storage.ParsePorts(f.Ports); err != nil {
		errs[fieldPorts] = err
	} else {
		p.Ports = ports
	}
	for _, sc := range strings.Fields(f.Scopes) {
		if err := storage.ValidateScope(sc); err != nil {
			errs[fieldScopes] = err
			break
		}
		if sc != oauth.ScopeExtended && !slices.Contains(p.Scopes, sc) {
			p.Scopes = append(p.Scopes, sc)
		}
	}
	if errs[fieldScopes] == nil && len(p.Scopes) == 0 {
		errs[fieldScopes] = errors.New(`enter at least one scope (normally "signature")`)
	}
	if f.Extended {
		p.Scopes = append(p.Scopes, oauth.ScopeExtended)
	}
	if len(errs) == 0 {
		// Storage's whole-profile check, so the form can never save what
		// storage would refuse.
		if err := storage.ValidateProfile(p); err != nil {
			field := fieldName
			var fe *storage.FieldError
			if errors.As(err, &fe) && slices.Contains(formFields, fe.Field) {
				field = fe.Field
			}
			errs[field] = err
		}
	}
	return p, errs
}
