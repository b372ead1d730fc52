package oauth

import (
	"time"

	"github.com/tokendesk/tokendesk/oauth/dstoken"
)

// RefreshTokenExpiry reads the expiry DocuSign writes into a refresh token
// (its undocumented binary layout, see package dstoken). It is diagnostics only:
// for anything that does not decode as a refresh token with a plausible
// expiry it returns the zero time, and callers fall back to an estimate.
func RefreshTokenExpiry(token string) time.Time {
	if token == "" {
		return time.Time{}
	}
	c, err := dstoken.Decode(token)
	if err != nil || c.Type != dstoken.TypeRefresh || c.ExpiresAt.IsZero() {
		return time.Time{}
	}
	exp := c.ExpiresAt.UTC()
	if exp.Year() < 2000 || exp.Year() > 9000 || (!c.IssuedAt.IsZero() && !exp.After(c.IssuedAt)) {
		return time.Time{}
	}
	return exp
}
