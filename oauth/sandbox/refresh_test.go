package sandbox_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

const day = 24 * time.Hour

func TestRefreshRotation(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true})
	first := newSession(t, s, "signature extended")
	if !s.RefreshTokenValid(first.RefreshToken) {
		t.Fatal("fresh refresh token reported invalid")
	}

	st, second, e := refresh(t, s, first.RefreshToken)
	if st != http.StatusOK {
		t.Fatalf("refresh: %d %+v", st, e)
	}
	if second.Scope != "signature" {
		t.Errorf("refresh scope = %q, want %q (DocuSign does not echo extended)", second.Scope, "signature")
	}
	if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Error("refresh did not issue new tokens")
	}
	if n, ok := second.ExpiresIn.(float64); !ok || n != 28800 {
		t.Errorf("expires_in %v", second.ExpiresIn)
	}
	if s.RefreshTokenValid(first.RefreshToken) || !s.RefreshTokenValid(second.RefreshToken) {
		t.Error("RefreshTokenValid does not reflect rotation")
	}
	// The rotated-out token is dead.
	st, _, e = refresh(t, s, first.RefreshToken)
	if st != http.StatusBadRequest || e != (errResp{"invalid_grant", "expired_client_token"}) {
		t.Errorf("old refresh token: %d %+v, want 400 invalid_grant/expired_client_token", st, e)
	}
	// The new one works, and the new access token too.
	if st, _, e := refresh(t, s, second.RefreshToken); st != http.StatusOK {
		t.Errorf("new refresh token: %d %+v", st, e)
	}
	if st, _ := userinfo(t, s, second.AccessToken); st != http.StatusOK {
		t.Errorf("refreshed access token rejected by userinfo: %d", st)
	}
	if sts := s.Stats(); sts.Refreshes != 2 || sts.RefreshRejected != 1 || sts.Exchanges != 1 {
		t.Errorf("stats %+v", sts)
	}
	s.ResetStats()
	if sts := s.Stats(); sts != (sandbox.Stats{}) {
		t.Errorf("ResetStats left %+v", sts)
	}
}

func TestRefreshRejections(t *testing.T) {
	expired := errResp{"invalid_grant", "expired_client_token"}
	for _, tc := range []struct {
		name string
		rt   func(tok tokenResp) string
	}{
		{"unknown", func(tok tokenResp) string { return tok.RefreshToken + "x" }},
		{"empty", func(tokenResp) string { return "" }},
		{"access token", func(tok tokenResp) string { return tok.AccessToken }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, sandbox.Options{AutoAccept: true})
			tok := newSession(t, s, "signature")
			if st, _, e := refresh(t, s, tc.rt(tok)); st != http.StatusBadRequest || e != expired {
				t.Errorf("got %d %+v", st, e)
			}
		})
	}
}

func TestRefreshExpiry(t *testing.T) {
	tests := []struct {
		scope    string
		extended bool
	}{
		{"signature", false},
		{"signature extended", true},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			s := newServer(t, sandbox.Options{AutoAccept: true})
			tok := newSession(t, s, tt.scope)
			consentExpiry := decode(t, tok.RefreshToken).ExpiresAt
			if d := consentExpiry.Sub(s.Now()); d < 30*day-time.Minute || d > 30*day {
				t.Fatalf("first refresh token lives %v, want 30 days", d)
			}

			s.Advance(10 * day)
			st, tok, e := refresh(t, s, tok.RefreshToken)
			if st != http.StatusOK {
				t.Fatalf("refresh at day 10: %d %+v", st, e)
			}
			rt := decode(t, tok.RefreshToken)
			want := consentExpiry
			if tt.extended {
				want = rt.IssuedAt.Add(30 * day) // slides: full lifetime from now
			}
			if !rt.ExpiresAt.Equal(want) {
				t.Errorf("refresh token expiry %v, want %v", rt.ExpiresAt, want)
			}
			if rt.AuthTime.After(consentExpiry.Add(-30*day)) || rt.AuthTime.Before(consentExpiry.Add(-30*day-time.Minute)) {
				t.Errorf("auth time %v should stay at the consent time", rt.AuthTime)
			}
		})
	}
}

// TestRefreshDaily refreshes once a day: without extended the grant dies 30
// days after consent however often it is refreshed; with extended it lives on.
func TestRefreshDaily(t *testing.T) {
	for _, tt := range []struct {
		scope   string
		lastDay int // last day a refresh succeeds; 0 = all 45 succeed
	}{
		{"signature", 29},
		{"signature extended", 0},
	} {
		t.Run(tt.scope, func(t *testing.T) {
			s := newServer(t, sandbox.Options{AutoAccept: true})
			rt := newSession(t, s, tt.scope).RefreshToken
			for d := 1; d <= 45; d++ {
				s.Advance(day)
				st, tok, e := refresh(t, s, rt)
				wantOK := tt.lastDay == 0 || d <= tt.lastDay
				if wantOK != (st == http.StatusOK) {
					t.Fatalf("day %d: status %d %+v, want success=%v", d, st, e, wantOK)
				}
				if !wantOK {
					if e != (errResp{"invalid_grant", "expired_client_token"}) {
						t.Errorf("day %d: %+v", d, e)
					}
					if s.RefreshTokenValid(rt) {
						t.Error("RefreshTokenValid true for an expired token")
					}
					return
				}
				rt = tok.RefreshToken
			}
		})
	}
}

func TestRevokeConsent(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true})
	tok := newSession(t, s, "signature extended")
	_, c := pkce()
	unused := login(t, s, "signature", c)

	s.RevokeConsent()

	if s.RefreshTokenValid(tok.RefreshToken) {
		t.Error("refresh token valid after revocation")
	}
	st, _, e := refresh(t, s, tok.RefreshToken)
	if st != http.StatusBadRequest || e.Error != "invalid_grant" {
		t.Errorf("refresh after revoke: %d %+v, want 400 invalid_grant", st, e)
	}
	st, _, e = postToken(t, s, map[string][]string{"grant_type": {"authorization_code"}, "code": {unused}, "client_id": {key}}, nil)
	if st != http.StatusBadRequest || e.Error != "invalid_grant" {
		t.Errorf("unused code after revoke: %d %+v", st, e)
	}
	// Access tokens live on until they expire.
	if st, _ := userinfo(t, s, tok.AccessToken); st != http.StatusOK {
		t.Errorf("access token after revoke: %d, want 200 until expiry", st)
	}
	s.Advance(8 * time.Hour)
	if st, _ := userinfo(t, s, tok.AccessToken); st != http.StatusUnauthorized {
		t.Errorf("access token after expiry: %d, want 401", st)
	}
	// A new login creates a new consent.
	fresh := newSession(t, s, "signature")
	if st, _, e := refresh(t, s, fresh.RefreshToken); st != http.StatusOK {
		t.Errorf("new consent after revoke: %d %+v", st, e)
	}
}
