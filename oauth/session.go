package oauth

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultRefreshLifetime is DocuSign's refresh-token lifetime, documented
// only in a blog post; profiles can override it.
const DefaultRefreshLifetime = 30 * 24 * time.Hour

// ScopeExtended is the scope that makes every refresh hand out a refresh
// token with a fresh lifetime.
const ScopeExtended = "extended"

// DefaultScopes are requested when a profile names none.
var DefaultScopes = []string{"signature", ScopeExtended}

// ExpirySource says where a refresh-token expiry comes from.
type ExpirySource string

// The sources of a refresh-token expiry.
const (
	// SourceToken: read from the token's own expiry field (DocuSign's
	// undocumented layout, best effort).
	SourceToken ExpirySource = "token"
	// SourceEstimate: computed from consent or rotation time plus the
	// profile's refresh lifetime.
	SourceEstimate ExpirySource = "estimate"
)

// Session is everything Token Desk knows about one signed-in profile. The two
// token fields are secrets: they are excluded from JSON and from every
// fmt verb, so the rest can go to a plain config file or a log.
type Session struct {
	// AccessToken is the bearer token (secret; never serialised).
	AccessToken string `json:"-"`
	// RefreshToken is the refresh token (secret; never serialised).
	RefreshToken string `json:"-"`
	// TokenType is the token type the server reported, normally "Bearer".
	TokenType string `json:"token_type,omitempty"`
	// AccessExpiresAt is the access token's expiry in UTC: local receive
	// time plus expires_in.
	AccessExpiresAt time.Time `json:"access_expires_at"`
	// RequestedScopes are the scopes asked for at consent. Where the
	// exchange's answer reported scopes, GrantedScopes says which were
	// granted (see NotGranted).
	RequestedScopes []string `json:"requested_scopes"`
	// ReportedScopes are the scopes the last token response reported; after
	// a refresh DocuSign reports "signature" only even when more is granted.
	ReportedScopes []string `json:"reported_scopes,omitempty"`
	// ConsentedAt is when the interactive login completed (UTC).
	ConsentedAt time.Time `json:"consented_at"`
	// RefreshIssuedAt is when the current refresh token was received: the
	// consent time, or the time of the last rotation (UTC).
	RefreshIssuedAt time.Time `json:"refresh_issued_at"`
	// RotatedAt is the time of the last refresh that rotated the refresh
	// token; zero before the first one.
	RotatedAt time.Time `json:"rotated_at,omitzero"`
	// Refreshes counts the successful refreshes since consent.
	Refreshes int `json:"refreshes,omitempty"`
	// TokenRefreshExpiresAt is the expiry read from the refresh token itself
	// when its layout could be decoded; zero otherwise.
	TokenRefreshExpiresAt time.Time `json:"token_refresh_expires_at,omitzero"`
	// GrantedScopes are the scopes the code exchange's answer reported, when
	// it reported any (nil otherwise: then RequestedScopes is all that is
	// known). Scopes asked for but missing here were not granted; DocuSign
	// never echoes "extended", so it is judged by ExtendedEvidence instead.
	GrantedScopes []string `json:"granted_scopes,omitempty"`
	// AccessIssuedAt is when the current access token was received (UTC).
	AccessIssuedAt time.Time `json:"access_issued_at,omitzero"`
	// ExtendedConfirmedAt is when a rotation's refresh token was seen to
	// carry a fresh full lifetime (read from the token, oauth/dstoken): the
	// proof that "extended" is in force. Zero until then.
	ExtendedConfirmedAt time.Time `json:"extended_confirmed_at,omitzero"`
	// LastFailure is the last failed refresh, persisted so that every
	// process (status, the window, an agent) sees it; nil after a success.
	LastFailure *Failure `json:"last_failure,omitempty"`
	// User is the userinfo answer cached at login; nil if it failed.
	User *UserInfo `json:"user,omitempty"`
	// Dead is set when the server declared the refresh token dead (an
	// invalid_grant on refresh): the tokens are quarantined, never sent
	// again, and only a new login clears it. It holds the reason.
	Dead string `json:"dead,omitempty"`
	// DiedAt is when Dead was set (UTC); zero while the session lives.
	DiedAt time.Time `json:"died_at,omitzero"`
}

// Failure is a failed refresh as persisted in the session metadata. It
// holds no secret: Message is an *Error's person-readable text.
type Failure struct {
	// At is when the attempt failed (UTC).
	At time.Time `json:"at"`
	// Kind is the failure kind's stable name (Kind.String()).
	Kind string `json:"kind"`
	// Code is the server's OAuth "error" field, if any.
	Code string `json:"code,omitempty"`
	// Status is the HTTP status, or 0 when no answer arrived.
	Status int `json:"status,omitempty"`
	// Message is the person-readable sentence.
	Message string `json:"message"`
	// RetryAfter is the earliest time the server allows another attempt
	// (its Retry-After header), zero when it named none.
	RetryAfter time.Time `json:"retry_after,omitzero"`
}

// Extended reports whether the consent asked for the extended scope, so that
// each refresh yields a refresh token with a fresh lifetime. It says what was
// requested at consent, not what is proven: DocuSign never echoes
// "extended", so ExtendedEvidence says what the claim rests on.
func (s *Session) Extended() bool { return slices.Contains(s.RequestedScopes, ScopeExtended) }

// The values of ExtendedEvidence.
const (
	// EvidenceToken: a rotation's refresh token carried a fresh full lifetime.
	EvidenceToken = "token"
	// EvidenceRequested: extended was asked for at consent; not yet proven.
	EvidenceRequested = "requested"
)

// ExtendedEvidence says what the extended claim rests on: "token" once a
// rotation's refresh token was read to carry a fresh full lifetime
// (ExtendedConfirmedAt), "requested" when it was only asked for at consent,
// and "" when the session is not extended.
func (s *Session) ExtendedEvidence() string {
	switch {
	case !s.Extended():
		return ""
	case !s.ExtendedConfirmedAt.IsZero():
		return EvidenceToken
	}
	return EvidenceRequested
}

// NotGranted returns the scopes asked for at consent that the exchange's
// answer did not report as granted. "extended" is never listed, because
// DocuSign does not echo it (see ExtendedEvidence). It is nil when the
// answer reported no scopes, since then nothing is known.
func (s *Session) NotGranted() []string {
	if s.GrantedScopes == nil {
		return nil
	}
	var out []string
	for _, sc := range s.RequestedScopes {
		if sc != ScopeExtended && !slices.Contains(s.GrantedScopes, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// RefreshExpiry returns when the refresh token dies and where that date comes
// from. The date read from the token wins; otherwise it is estimated: with
// extended, the last rotation plus lifetime; without, consent plus lifetime.
func (s *Session) RefreshExpiry(lifetime time.Duration) (time.Time, ExpirySource) {
	if !s.TokenRefreshExpiresAt.IsZero() {
		return s.TokenRefreshExpiresAt, SourceToken
	}
	if lifetime <= 0 {
		lifetime = DefaultRefreshLifetime
	}
	if s.Extended() && !s.RefreshIssuedAt.IsZero() {
		return s.RefreshIssuedAt.Add(lifetime), SourceEstimate
	}
	return s.ConsentedAt.Add(lifetime), SourceEstimate
}

// AccessValidFor reports whether the access token stays valid for at least d
// after now.
func (s *Session) AccessValidFor(now time.Time, d time.Duration) bool {
	return s.AccessToken != "" && s.AccessExpiresAt.After(now.Add(d))
}

// ScopesDropped returns the consent scopes the last token response did not
// report (DocuSign's refresh answer omits "extended"); the grant still
// carries them.
func (s *Session) ScopesDropped() []string {
	if len(s.ReportedScopes) == 0 {
		return nil
	}
	var out []string
	for _, sc := range s.RequestedScopes {
		if !slices.Contains(s.ReportedScopes, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// Clone returns a deep copy.
func (s *Session) Clone() *Session {
	if s == nil {
		return nil
	}
	c := *s
	c.RequestedScopes = slices.Clone(s.RequestedScopes)
	c.ReportedScopes = slices.Clone(s.ReportedScopes)
	c.GrantedScopes = slices.Clone(s.GrantedScopes)
	if s.LastFailure != nil {
		f := *s.LastFailure
		c.LastFailure = &f
	}
	if s.User != nil {
		u := *s.User
		u.Accounts = slices.Clone(s.User.Accounts)
		c.User = &u
	}
	return &c
}

// String describes the session without its secrets.
func (s Session) String() string {
	return fmt.Sprintf("Session{scopes=%s access_expires=%s consented=%s refresh_issued=%s tokens=%s}",
		strings.Join(s.RequestedScopes, " "), s.AccessExpiresAt.Format(time.RFC3339),
		s.ConsentedAt.Format(time.RFC3339), s.RefreshIssuedAt.Format(time.RFC3339), redacted(s.AccessToken, s.RefreshToken))
}

// GoString keeps %#v from printing the secrets.
func (s Session) GoString() string { return s.String() }

func redacted(tokens ...string) string {
	n := 0
	for _, t := range tokens {
		if t != "" {
			n++
		}
	}
	return fmt.Sprintf("[%d redacted]", n)
}

// UserInfo is DocuSign's /oauth/userinfo answer. Client.UserInfo
// returns it with every string cleaned (CleanText).
type UserInfo struct {
	// Sub is the user's id (a GUID).
	Sub string `json:"sub"`
	// Name is the user's full name.
	Name string `json:"name"`
	// GivenName is the user's first name.
	GivenName string `json:"given_name,omitempty"`
	// FamilyName is the user's last name.
	FamilyName string `json:"family_name,omitempty"`
	// Email is the user's email address.
	Email string `json:"email"`
	// Created is when the user was created, as DocuSign writes it (no zone).
	Created string `json:"created,omitempty"`
	// Accounts are the accounts the user can act on.
	Accounts []Account `json:"accounts"`
}

// clean passes every server string through CleanText (with secrets
// redacted), so a name or email cannot drive a terminal.
func (u *UserInfo) clean(secrets []string) {
	for _, p := range []*string{&u.Sub, &u.Name, &u.GivenName, &u.FamilyName, &u.Email, &u.Created} {
		*p = cleanScrub(*p, secrets)
	}
	for i := range u.Accounts {
		a := &u.Accounts[i]
		for _, p := range []*string{&a.AccountID, &a.AccountName, &a.BaseURI} {
			*p = cleanScrub(*p, secrets)
		}
	}
}

// Account is one DocuSign account the user can act on.
type Account struct {
	// AccountID is the account's id (a GUID), used in API paths.
	AccountID string `json:"account_id"`
	// AccountName is the account's display name.
	AccountName string `json:"account_name"`
	// IsDefault marks the user's default account.
	IsDefault bool `json:"is_default"`
	// BaseURI is where the account's API lives (append "/restapi").
	BaseURI string `json:"base_uri"`
}

// DefaultAccount returns the account marked default, or the first one.
func (u *UserInfo) DefaultAccount() (Account, bool) {
	if u == nil || len(u.Accounts) == 0 {
		return Account{}, false
	}
	for _, a := range u.Accounts {
		if a.IsDefault {
			return a, true
		}
	}
	return u.Accounts[0], true
}
