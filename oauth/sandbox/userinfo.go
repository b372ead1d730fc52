package sandbox

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// User is the signed-in user the sandbox reports from /oauth/userinfo, in
// the JSON shape of DocuSign's userinfo response.
type User struct {
	// Sub is the user's GUID; it is also written into every token.
	Sub string `json:"sub"`
	// Name is the full display name.
	Name string `json:"name"`
	// GivenName and FamilyName are the name's parts.
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	// Created is the account creation time as DocuSign formats it, without a
	// time zone, e.g. "2015-08-13T22:03:03.45".
	Created string `json:"created"`
	// Email is the user's email address.
	Email string `json:"email"`
	// Accounts are the eSignature accounts the user belongs to; exactly one
	// should be the default.
	Accounts []Account `json:"accounts"`
}

// Account is one of the user's eSignature accounts.
type Account struct {
	// AccountID is the account GUID.
	AccountID string `json:"account_id"`
	// IsDefault marks the user's default account.
	IsDefault bool `json:"is_default"`
	// AccountName is the account's display name.
	AccountName string `json:"account_name"`
	// BaseURI is the eSignature API base, e.g. https://demo.docusign.net
	// (API calls go to BaseURI + "/restapi").
	BaseURI string `json:"base_uri"`
}

// DefaultUser returns the fixture user a server reports when Options.User
// leaves fields empty: a demo user with two accounts, the second the default.
func DefaultUser() User {
	return User{
		Sub:        "4799e5e9-1559-4915-9862-cf4713bbcacc",
		Name:       "Sandy Box",
		GivenName:  "Sandy",
		FamilyName: "Box",
		Created:    "2015-08-13T22:03:03.45",
		Email:      "sandy.box@example.com",
		Accounts: []Account{
			{AccountID: "a4ec37d6-04b2-4a0e-9c5f-3f1b2d6e8a71", IsDefault: false, AccountName: "Sandbox Europe Ltd", BaseURI: "https://demo.docusign.net"},
			{AccountID: "b81f5c2e-7d3a-4f69-8e14-6c0a9b2d4e35", IsDefault: true, AccountName: "Sandbox Corporation", BaseURI: "https://demo.docusign.net"},
		},
	}
}

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// withDefaults fills empty fields from DefaultUser and checks that Sub is a GUID.
func (u User) withDefaults() (User, error) {
	d := DefaultUser()
	fill := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	fill(&u.Sub, d.Sub)
	fill(&u.Name, d.Name)
	fill(&u.GivenName, d.GivenName)
	fill(&u.FamilyName, d.FamilyName)
	fill(&u.Created, d.Created)
	fill(&u.Email, d.Email)
	if len(u.Accounts) == 0 {
		u.Accounts = d.Accounts
	}
	u.Accounts = append([]Account(nil), u.Accounts...)
	if !guidPattern.MatchString(u.Sub) {
		return u, fmt.Errorf("sandbox: User.Sub %q is not a GUID", u.Sub)
	}
	u.Sub = strings.ToLower(u.Sub)
	return u, nil
}

// handleUserInfo serves GET /oauth/userinfo: a valid, unexpired Bearer
// access token gets the user; anything else gets DocuSign's 401
// {"error":"internal_server_error","reference_id":...}.
func (s *Server) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.UserInfo++
	s.mu.Unlock()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request"})
		return
	}
	tok, ok := bearerToken(r)
	valid := false
	if ok {
		s.mu.Lock()
		at, found := s.access[tok]
		valid = found && s.nowLocked().Before(at.expires)
		s.mu.Unlock()
	}
	if !valid {
		s.logf("sandbox: userinfo rejected (missing, unknown or expired access token)")
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{
			"error":        "internal_server_error",
			"reference_id": newGUID(),
		})
		return
	}
	writeJSON(w, http.StatusOK, s.user)
}

// bearerToken extracts the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}
