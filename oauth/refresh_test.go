package oauth_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

func TestExchangeCodeSingleUse(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	req, err := f.cl.NewAuthRequest(oauth.RedirectURI(f.cfg.Ports[0]))
	if err != nil {
		t.Fatal(err)
	}
	code := f.codeFor(t, req)
	if _, err := f.cl.Exchange(context.Background(), req, code); err != nil {
		t.Fatalf("first exchange: %v", err)
	}
	_, err = f.cl.Exchange(context.Background(), req, code)
	oe := wantKind(t, err, oauth.KindLogin)
	if oe.Code != "invalid_grant" {
		t.Errorf("code %q", oe.Code)
	}
}

func TestExchangeCodeExpiresAfterTwoMinutes(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	req, _ := f.cl.NewAuthRequest(oauth.RedirectURI(f.cfg.Ports[0]))
	code := f.codeFor(t, req)
	f.srv.Advance(2*time.Minute + time.Second)
	_, err := f.cl.Exchange(context.Background(), req, code)
	wantKind(t, err, oauth.KindLogin)
}

func TestRefreshRotates(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	s := f.mustLogin(t)
	f.srv.Advance(8*time.Hour + time.Minute)
	n, err := f.cl.Refresh(context.Background(), s)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if n.RefreshToken == s.RefreshToken || n.AccessToken == s.AccessToken {
		t.Fatal("refresh did not rotate the tokens")
	}
	if f.srv.RefreshTokenValid(s.RefreshToken) || !f.srv.RefreshTokenValid(n.RefreshToken) {
		t.Fatal("the sandbox still accepts the old refresh token, or not the new one")
	}
	if n.Refreshes != 1 || !n.RotatedAt.Equal(n.RefreshIssuedAt) || !n.ConsentedAt.Equal(s.ConsentedAt) {
		t.Errorf("rotation bookkeeping: %+v", n)
	}
	if s.Refreshes != 0 || s.RotatedAt != (time.Time{}) {
		t.Error("Refresh modified its input")
	}
	// The old token is dead: using it is a re-login.
	_, err = f.cl.Refresh(context.Background(), s)
	oe := wantKind(t, err, oauth.KindRelogin)
	if oe.Code != "invalid_grant" || oe.Op != "refresh" {
		t.Errorf("error fields %q %q", oe.Code, oe.Op)
	}
}

func TestRefreshScopeQuirkKeepsExtended(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	s := f.mustLogin(t)
	if !slices.Equal(s.ReportedScopes, []string{"signature", "extended"}) {
		t.Fatalf("exchange reported %v", s.ReportedScopes)
	}
	n, err := f.cl.Refresh(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(n.ReportedScopes, []string{"signature"}) {
		t.Fatalf("the sandbox must report signature only on refresh, got %v", n.ReportedScopes)
	}
	if !n.Extended() || !slices.Equal(n.ScopesDropped(), []string{"extended"}) {
		t.Fatalf("the knowledge that extended was granted was lost: %v / %v", n.RequestedScopes, n.ScopesDropped())
	}
}

// TestRefreshTokenLifetime drives a daily refresh across 40 days on the
// sandbox clock: with extended the session slides forever; without it the
// refresh token dies 30 days after consent, and both the decoded and the
// estimated expiry say so.
func TestRefreshTokenLifetime(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name   string
		scopes []string
		dieDay int // first day a refresh fails; 0 = never
		slides bool
	}{
		{"extended slides", []string{"signature", "extended"}, 0, true},
		{"not extended stops at consent+30d", []string{"signature"}, 30, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{autoAccept: true, scopes: tc.scopes})
			s := f.mustLogin(t)
			consent := s.ConsentedAt
			for d := 1; d <= 40; d++ {
				f.srv.Advance(day)
				n, err := f.cl.Refresh(context.Background(), s)
				if tc.dieDay != 0 && d >= tc.dieDay {
					wantKind(t, err, oauth.KindRelogin)
					return
				}
				if err != nil {
					t.Fatalf("day %d: %v", d, err)
				}
				s = n
				if got, want := s.ExtendedEvidence(), map[bool]string{true: oauth.EvidenceToken, false: ""}[tc.slides]; got != want {
					t.Fatalf("day %d: extended evidence %q, want %q", d, got, want)
				}
				if !tc.slides && !s.ExtendedConfirmedAt.IsZero() {
					t.Fatalf("day %d: extended confirmed without extended", d)
				}
				fromToken, src := s.RefreshExpiry(0)
				est := s.Clone()
				est.TokenRefreshExpiresAt = time.Time{}
				estimate, esrc := est.RefreshExpiry(0)
				want := consent.Add(30 * day)
				if tc.slides {
					want = f.srv.Now().Add(30 * day)
				}
				if src != oauth.SourceToken || esrc != oauth.SourceEstimate {
					t.Fatalf("sources %s %s", src, esrc)
				}
				for name, got := range map[string]time.Time{"token": fromToken, "estimate": estimate} {
					if diff := got.Sub(want); diff < -time.Minute || diff > time.Minute {
						t.Fatalf("day %d: %s expiry %s, want %s", d, name, got, want)
					}
				}
			}
			if tc.dieDay != 0 {
				t.Fatal("the non-extended refresh token outlived 30 days")
			}
		})
	}
}

// TestRefreshExpiresInFloat: a 200 refresh answer with "expires_in":28800.0
// after the server rotated must yield the new session (x/oauth2 alone
// refuses the float, and the rotated refresh token would be lost).
func TestRefreshExpiresInFloat(t *testing.T) {
	for _, op := range []string{"refresh", "exchange"} {
		t.Run(op, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{autoAccept: true})
			var s *oauth.Session
			if op == "refresh" {
				s = f.mustLogin(t)
			}
			f.srv.InjectFault(sandbox.Fault{Path: "/oauth/token", ExpiresInFloat: true}, 1)
			now := f.srv.Now()
			var n *oauth.Session
			var err error
			if op == "refresh" {
				n, err = f.cl.Refresh(context.Background(), s)
			} else {
				req, _ := f.cl.NewAuthRequest(oauth.RedirectURI(f.cfg.Ports[0]))
				n, err = f.cl.Exchange(context.Background(), req, f.codeFor(t, req))
			}
			if err != nil {
				t.Fatalf("%s with expires_in 28800.0: %v", op, err)
			}
			if st := f.srv.Stats(); st.Faults != 1 {
				t.Fatalf("the float fault was not applied: %+v", st)
			}
			if !f.srv.RefreshTokenValid(n.RefreshToken) {
				t.Fatal("the session does not hold the server's current refresh token")
			}
			if got := n.AccessExpiresAt.Sub(now); got < 8*time.Hour-time.Minute || got > 8*time.Hour+time.Minute {
				t.Errorf("access lifetime %s, want 8h", got)
			}
			if d := n.AccessIssuedAt.Sub(now); d < 0 || d > 5*time.Second {
				t.Errorf("AccessIssuedAt %s, want %s", n.AccessIssuedAt, now)
			}
		})
	}
}

// TestRetryAfter: a 429 or 503 with Retry-After (seconds or an HTTP date)
// gives Error.RetryAfter; nonsense or none gives zero.
func TestRetryAfter(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	s := f.mustLogin(t)
	now := f.srv.Now()
	date := now.Add(10 * time.Minute).Truncate(time.Second)
	tests := []struct {
		name   string
		status int
		header string
		path   string
		want   time.Time
	}{
		{"429 seconds", 429, "120", "/oauth/token", now.Add(120 * time.Second)},
		{"503 http date", 503, date.Format(http.TimeFormat), "/oauth/token", date},
		{"503 capped at a day", 503, "99999999", "/oauth/token", now.Add(24 * time.Hour)},
		{"429 nonsense", 429, "soon", "/oauth/token", time.Time{}},
		{"500 ignores it", 500, "120", "/oauth/token", time.Time{}},
		{"userinfo 429", 429, "30", "/oauth/userinfo", now.Add(30 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.srv.InjectFault(sandbox.Fault{Path: tt.path, Status: tt.status, ContentType: "text/plain", Body: "busy", RetryAfter: tt.header}, 1)
			var err error
			if tt.path == "/oauth/userinfo" {
				_, err = f.cl.UserInfo(context.Background(), s.AccessToken)
			} else {
				_, err = f.cl.Refresh(context.Background(), s)
			}
			oe := wantKind(t, err, oauth.KindTransient)
			if d := oe.RetryAfter.Sub(tt.want); d < -2*time.Second || d > 2*time.Second || oe.RetryAfter.IsZero() != tt.want.IsZero() {
				t.Errorf("RetryAfter %s, want %s", oe.RetryAfter, tt.want)
			}
		})
	}
}

// TestExtendedEvidence: right after consent "extended" is only requested; a
// rotation moments later cannot tell (the lifetimes barely differ), and the
// first rotation after time has passed confirms it from the token.
func TestExtendedEvidence(t *testing.T) {
	f := newFixture(t, fixtureOpt{autoAccept: true})
	s := f.mustLogin(t)
	if s.ExtendedEvidence() != oauth.EvidenceRequested || !s.ExtendedConfirmedAt.IsZero() {
		t.Fatalf("after login: %q %s", s.ExtendedEvidence(), s.ExtendedConfirmedAt)
	}
	n, err := f.cl.Refresh(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if n.ExtendedEvidence() != oauth.EvidenceRequested {
		t.Fatalf("an immediate rotation claimed proof: %q", n.ExtendedEvidence())
	}
	f.srv.Advance(time.Hour)
	n, err = f.cl.Refresh(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	if n.ExtendedEvidence() != oauth.EvidenceToken || !n.ExtendedConfirmedAt.Equal(n.RotatedAt) {
		t.Fatalf("after an hour: %q confirmed at %s, rotated at %s", n.ExtendedEvidence(), n.ExtendedConfirmedAt, n.RotatedAt)
	}
}

// TestGrantedScopes: when the exchange reports scopes, the session keeps
// them and NotGranted names what was asked for but not granted; an
// invalid_scope refusal names the scopes and where they are enabled.
func TestGrantedScopes(t *testing.T) {
	asked := []string{"signature", "extended", "openid", "bogus"}
	enabled := func(o *sandbox.Options) { o.EnabledScopes = []string{"signature", "extended", "openid"} }
	f := newFixture(t, fixtureOpt{autoAccept: true, scopes: asked, server: enabled})
	s := f.mustLogin(t)
	if !slices.Equal(s.GrantedScopes, []string{"signature", "extended", "openid"}) || !slices.Equal(s.NotGranted(), []string{"bogus"}) {
		t.Fatalf("granted %v, not granted %v", s.GrantedScopes, s.NotGranted())
	}
	if !slices.Equal(s.RequestedScopes, asked) {
		t.Fatalf("requested %v", s.RequestedScopes)
	}

	f = newFixture(t, fixtureOpt{autoAccept: true, scopes: asked, server: func(o *sandbox.Options) { enabled(o); o.RejectUnknownScopes = true }})
	_, _, err := f.login(t, "accept")
	oe := wantKind(t, err, oauth.KindMisconfigured)
	for _, want := range []string{"signature extended openid bogus", "must be enabled for this integration key", "(" + f.srv.URL() + ")"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	if oe.Code != "invalid_scope" || strings.Contains(err.Error(), "credentials") {
		t.Errorf("code %q, message %v", oe.Code, err)
	}
}

// TestRefreshRescuesRotatedToken: a 200 answer that carries a new refresh
// token but is otherwise unusable fails as transient, and the error hands
// back the session with the new refresh token, so it can be persisted.
func TestRefreshRescuesRotatedToken(t *testing.T) {
	tests := []struct {
		name, body string
		rescued    string // "" = nothing to rescue
	}{
		{"access token not a string", `{"access_token":7,"refresh_token":"RT-NEW-0123456789","expires_in":28800}`, "RT-NEW-0123456789"},
		{"no access token", `{"refresh_token":"RT-NEW-0123456789","expires_in":28800}`, "RT-NEW-0123456789"},
		{"expires_in nonsense", `{"access_token":"AT","refresh_token":"RT-NEW-0123456789","expires_in":"soon"}`, "RT-NEW-0123456789"},
		{"no refresh token", `{"access_token":7}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOpt{autoAccept: true})
			s := f.mustLogin(t)
			f.srv.InjectFault(sandbox.Fault{Path: "/oauth/token", Status: 200, ContentType: "application/json", Body: tt.body}, 1)
			_, err := f.cl.Refresh(context.Background(), s)
			oe := wantKind(t, err, oauth.KindTransient)
			if tt.rescued == "" {
				if oe.Session != nil {
					t.Fatal("a session was handed back although no refresh token came")
				}
				return
			}
			if oe.Session == nil || oe.Session.RefreshToken != tt.rescued || oe.Session.AccessToken != "" || oe.Session.RotatedAt.IsZero() {
				t.Fatalf("the new refresh token was not handed back: %v", oe.Session)
			}
			if strings.Contains(fmtErr(err), tt.rescued) {
				t.Fatalf("the rescued token shows in the error: %s", fmtErr(err))
			}
		})
	}
}
