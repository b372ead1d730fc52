// Package tokenfmt renders an access token for people and scripts. It is the
// one implementation behind `tokendesk token --format` and the window's copy
// formats, so both print exactly the same text.
package tokenfmt

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Format is one way to render an access token.
type Format string

// The formats. Raw, Header, Env and JSON are `tokendesk token --format`'s
// values; Curl and Export are the window's extra copy formats.
const (
	// Raw is the bare token.
	Raw Format = "raw"
	// Header is an HTTP header line: Authorization: Bearer TOKEN.
	Header Format = "header"
	// Curl is a curl argument: -H "Authorization: Bearer TOKEN".
	Curl Format = "curl"
	// Export is one shell line: export DOCUSIGN_ACCESS_TOKEN=TOKEN.
	Export Format = "export"
	// Env is shell lines that export the token and, when known, the default
	// account: DOCUSIGN_ACCESS_TOKEN, DOCUSIGN_ACCOUNT_ID, DOCUSIGN_BASE_URI.
	Env Format = "env"
	// JSON is one object with access_token, expires_at, profile, account_id
	// and base_uri.
	JSON Format = "json"
)

// The environment variables that Env and `tokendesk exec` set.
const (
	VarAccessToken = "DOCUSIGN_ACCESS_TOKEN"
	VarAccountID   = "DOCUSIGN_ACCOUNT_ID"
	VarBaseURI     = "DOCUSIGN_BASE_URI"
)

// CommandFormats are the values of `tokendesk token --format`, in the order
// its usage lists them.
var CommandFormats = []Format{Raw, Header, Env, JSON}

// WindowFormats are the window's copy formats, in menu order.
var WindowFormats = []Format{Raw, Header, Curl, Export}

// Token is what a format may show: the token and where it belongs.
type Token struct {
	// AccessToken is the bearer token (secret).
	AccessToken string
	// ExpiresAt is when the access token expires; zero when unknown.
	ExpiresAt time.Time
	// Profile is the Token Desk profile's name.
	Profile string
	// AccountID and BaseURI describe the default account from userinfo;
	// empty when unknown.
	AccountID, BaseURI string
}

// Parse reads a format name as given to --format.
func Parse(s string) (Format, error) {
	for _, f := range []Format{Raw, Header, Curl, Export, Env, JSON} {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(CommandFormats))
	for i, f := range CommandFormats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown token format %q; use one of %s", s, strings.Join(names, ", "))
}

// Label is the format's name in the window's copy-format picker.
func (f Format) Label() string {
	switch f {
	case Header:
		return "Authorization: Bearer …"
	case Curl:
		return `curl -H "Authorization: Bearer …"`
	case Export:
		return "export " + VarAccessToken + "=…"
	case Env:
		return "export " + VarAccessToken + ", " + VarAccountID + ", " + VarBaseURI
	case JSON:
		return "JSON object"
	}
	return "Raw token"
}

// ByLabel returns the window format whose Label is label, or Raw.
func ByLabel(label string) Format {
	for _, f := range WindowFormats {
		if f.Label() == label {
			return f
		}
	}
	return Raw
}

// Render renders t in format f, without a trailing newline; unknown formats
// give the raw token. Env renders one line per known variable, joined by
// newlines.
func Render(f Format, t Token) string {
	switch f {
	case Header:
		return "Authorization: Bearer " + t.AccessToken
	case Curl:
		return `-H "Authorization: Bearer ` + t.AccessToken + `"`
	case Export:
		return "export " + VarAccessToken + "=" + ShellQuote(t.AccessToken)
	case Env:
		lines := []string{"export " + VarAccessToken + "=" + ShellQuote(t.AccessToken)}
		for _, v := range Vars(t)[1:] {
			name, value, _ := strings.Cut(v, "=")
			lines = append(lines, "export "+name+"="+ShellQuote(value))
		}
		return strings.Join(lines, "\n")
	case JSON:
		return renderJSON(t)
	}
	return t.AccessToken
}

// Vars returns the environment entries ("NAME=value") for t: the access
// token always, the account id and base URI when known. `tokendesk exec`
// passes them to its command, and Env prints them.
func Vars(t Token) []string {
	v := []string{VarAccessToken + "=" + t.AccessToken}
	if t.AccountID != "" {
		v = append(v, VarAccountID+"="+t.AccountID)
	}
	if t.BaseURI != "" {
		v = append(v, VarBaseURI+"="+t.BaseURI)
	}
	return v
}

// jsonToken is the JSON format's object; unknown values are null.
type jsonToken struct {
	AccessToken string  `json:"access_token"`
	ExpiresAt   *string `json:"expires_at"`
	Profile     string  `json:"profile"`
	AccountID   *string `json:"account_id"`
	BaseURI     *string `json:"base_uri"`
}

func renderJSON(t Token) string {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	j := jsonToken{AccessToken: t.AccessToken, Profile: t.Profile, AccountID: opt(t.AccountID), BaseURI: opt(t.BaseURI)}
	if !t.ExpiresAt.IsZero() {
		j.ExpiresAt = opt(t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	b, err := json.Marshal(j)
	if err != nil { // strings and pointers to strings always marshal
		panic(fmt.Sprintf("tokenfmt: marshal: %v", err))
	}
	return string(b)
}

// ShellQuote quotes s for a POSIX shell: unchanged when every character is
// safe unquoted, otherwise in single quotes with each ' written as '\”.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.~+/=:@%,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
