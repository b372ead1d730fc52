package oauth

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRefreshExpiry(t *testing.T) {
	consent := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	rotated := consent.Add(20 * 24 * time.Hour)
	fromToken := consent.Add(49 * 24 * time.Hour)
	tests := []struct {
		name       string
		s          Session
		want       time.Time
		wantSource ExpirySource
	}{
		{"extended, never rotated", Session{RequestedScopes: DefaultScopes, ConsentedAt: consent, RefreshIssuedAt: consent}, consent.Add(DefaultRefreshLifetime), SourceEstimate},
		{"extended, rotated", Session{RequestedScopes: DefaultScopes, ConsentedAt: consent, RefreshIssuedAt: rotated}, rotated.Add(DefaultRefreshLifetime), SourceEstimate},
		{"not extended, rotated: hard stop", Session{RequestedScopes: []string{"signature"}, ConsentedAt: consent, RefreshIssuedAt: rotated}, consent.Add(DefaultRefreshLifetime), SourceEstimate},
		{"read from token wins", Session{RequestedScopes: DefaultScopes, ConsentedAt: consent, RefreshIssuedAt: rotated, TokenRefreshExpiresAt: fromToken}, fromToken, SourceToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, src := tt.s.RefreshExpiry(0)
			if !got.Equal(tt.want) || src != tt.wantSource {
				t.Fatalf("got %s (%s), want %s (%s)", got, src, tt.want, tt.wantSource)
			}
		})
	}
}

func TestScopesDropped(t *testing.T) {
	s := Session{RequestedScopes: []string{"signature", "extended", "user_read"}, ReportedScopes: []string{"signature"}}
	if got := strings.Join(s.ScopesDropped(), " "); got != "extended user_read" {
		t.Fatalf("got %q", got)
	}
	s.ReportedScopes = nil
	if s.ScopesDropped() != nil {
		t.Fatal("no reported scopes must mean nothing dropped")
	}
	if !s.Extended() {
		t.Fatal("extended was requested at consent")
	}
}

func TestSessionNeverPrintsOrSerialisesTokens(t *testing.T) {
	s := Session{AccessToken: "eyJ-access-SECRET", RefreshToken: "eyJ-refresh-SECRET", RequestedScopes: DefaultScopes}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	outs := []string{string(b), fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, &s)}
	for _, o := range outs {
		if strings.Contains(o, "SECRET") {
			t.Fatalf("token leaked: %s", o)
		}
	}
}

func TestNotGrantedAndEvidence(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		s          Session
		notGranted []string
		evidence   string
	}{
		{"nothing reported", Session{RequestedScopes: []string{"signature", "extended"}}, nil, "requested"},
		{"all granted, extended not echoed", Session{RequestedScopes: []string{"signature", "extended"}, GrantedScopes: []string{"signature"}}, nil, "requested"},
		{"one refused", Session{RequestedScopes: []string{"signature", "extended", "bogus"}, GrantedScopes: []string{"signature", "extended"}}, []string{"bogus"}, "requested"},
		{"confirmed", Session{RequestedScopes: []string{"signature", "extended"}, ExtendedConfirmedAt: now}, nil, "token"},
		{"not extended", Session{RequestedScopes: []string{"signature"}, GrantedScopes: []string{}}, []string{"signature"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.NotGranted(); !slices.Equal(got, tt.notGranted) {
				t.Errorf("NotGranted %v, want %v", got, tt.notGranted)
			}
			if got := tt.s.ExtendedEvidence(); got != tt.evidence {
				t.Errorf("ExtendedEvidence %q, want %q", got, tt.evidence)
			}
		})
	}
}
