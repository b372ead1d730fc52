package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
	"github.com/tokendesk/tokendesk/storage"
)

var now0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func sampleStatus() keeper.Status {
	return keeper.Status{Profile: "prod", Environment: oauth.Production, State: keeper.Valid,
		RefreshExpiresAt: now0.Add(720*time.Hour - time.Minute), RefreshExpirySource: oauth.SourceToken,
		NextAttempt: now0.Add(7*time.Hour + 50*time.Minute), NextKind: keeper.NextRefresh,
		Session: &oauth.Session{RequestedScopes: []string{"signature", "extended", "openid", "bogus"},
			GrantedScopes:   []string{"signature", "openid"},
			ReportedScopes:  []string{"signature"},
			AccessExpiresAt: now0.Add(8 * time.Hour), ConsentedAt: now0.Add(-time.Hour), RefreshIssuedAt: now0.Add(-3 * time.Minute),
			User: &oauth.UserInfo{Name: "Ada\x1b[31m", Email: "ada@example.com"}}}
}

func TestStatusJSONNewFields(t *testing.T) {
	fail := &oauth.Failure{At: now0.Add(-time.Minute), Kind: "transient", Code: "", Status: 503, Message: "the server answered HTTP 503"}
	for _, tc := range []struct {
		name     string
		mod      func(*keeper.Status)
		evidence any
		lastErr  map[string]any
	}{
		{"requested", func(*keeper.Status) {}, "requested", nil},
		{"confirmed by a token", func(st *keeper.Status) { st.Session.ExtendedConfirmedAt = now0 }, "token", nil},
		{"not extended", func(st *keeper.Status) { st.Session.RequestedScopes = []string{"signature"} }, nil, nil},
		{"failure in the session", func(st *keeper.Status) { st.Session.LastFailure = fail }, "requested",
			map[string]any{"at": "2026-03-01T11:59:00Z", "kind": "transient", "code": nil, "message": "the server answered HTTP 503", "retry_after": nil}},
		{"failure in the status", func(st *keeper.Status) {
			st.LastError = &oauth.Failure{At: now0, Kind: "relogin_required", Code: "invalid_grant", Message: "dead"}
		}, "requested", map[string]any{"at": "2026-03-01T12:00:00Z", "kind": "relogin_required", "code": "invalid_grant", "message": "dead", "retry_after": nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := sampleStatus()
			tc.mod(&st)
			b, _ := json.Marshal(NewStatusJSON(st))
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if got["extended_evidence"] != tc.evidence {
				t.Errorf("extended_evidence = %v, want %v", got["extended_evidence"], tc.evidence)
			}
			le, _ := got["last_error"].(map[string]any)
			if v, ok := got["last_error"]; !ok || (tc.lastErr == nil) != (v == nil) {
				t.Fatalf("last_error = %v, want %v", v, tc.lastErr)
			}
			for k, want := range tc.lastErr {
				if v, ok := le[k]; !ok || v != want {
					t.Errorf("last_error.%s = %v, want %v", k, v, want)
				}
			}
		})
	}
	j := NewStatusJSON(sampleStatus())
	if strings.Join(j.Scopes, " ") != "signature extended openid" || strings.Join(j.NotGrantedScopes, " ") != "bogus" ||
		strings.Join(j.RequestedScopes, " ") != "signature extended openid bogus" {
		t.Errorf("scopes %v, not granted %v, requested %v", j.Scopes, j.NotGrantedScopes, j.RequestedScopes)
	}
	if j.User.Name != "Ada[31m" && strings.ContainsRune(j.User.Name, 0x1b) {
		t.Errorf("user name not cleaned: %q", j.User.Name)
	}
	signedOut, _ := json.Marshal(NewStatusJSON(keeper.Status{Profile: "p", State: keeper.SignedOut}))
	for _, want := range []string{`"last_error":null`, `"extended_evidence":null`, `"not_granted_scopes":[]`} {
		if !strings.Contains(string(signedOut), want) {
			t.Errorf("signed out lacks %s: %s", want, signedOut)
		}
	}
}

func TestWriteStatus(t *testing.T) {
	for _, tc := range []struct {
		name      string
		mod       func(*keeper.Status)
		want, not []string
	}{
		{"valid", func(*keeper.Status) {},
			[]string{
				"Scopes:         signature extended openid (granted at consent)",
				"Not granted:    bogus",
				"Extended:       yes — requested at consent",
				"Access token:   expires " + humanWhen(now0.Add(8*time.Hour), now0),
				"(in 29d 23h; read from the token)", // the window's truncation: never "30d 0h"
				"issued 3m ago",
				"Next refresh:   ",
			},
			[]string{"Last failure", "\x1b"}},
		{"retrying", func(st *keeper.Status) {
			st.State, st.NextKind, st.Reason = keeper.Retrying, keeper.NextRetry, "the server did not answer"
			st.LastError = &oauth.Failure{At: now0.Add(-2 * time.Minute), Kind: "transient", Message: "HTTP 503\x1b[2J", RetryAfter: now0.Add(time.Hour)}
		}, []string{"State:          retrying — the server did not answer", "Last failure:   transient at", "HTTP 503", "Next retry:", "no retry before"},
			[]string{"\x1b"}},
		{"dead", func(st *keeper.Status) {
			st.State, st.Reason, st.DiedAt = keeper.ReloginRequired, "the refresh token was revoked", now0.Add(-time.Hour)
			st.NextAttempt, st.NextKind = time.Time{}, keeper.NextNone
		}, []string{"relogin required — the refresh token was revoked", "Died:"},
			[]string{"Access token:", "Refresh token:", " left", "in 29d"}},
		{"confirmed extended", func(st *keeper.Status) { st.Session.ExtendedConfirmedAt = now0 },
			[]string{"Extended:       yes — confirmed"}, []string{"Last refresh"}},
		{"rotated", func(st *keeper.Status) { st.Session.RotatedAt = now0.Add(-90 * time.Minute) },
			[]string{"Last refresh:   10:30 UTC (1h 30m ago)"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := sampleStatus()
			tc.mod(&st)
			var b bytes.Buffer
			writeStatus(&b, st, now0)
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("status lacks %q:\n%s", w, b.String())
				}
			}
			for _, n := range tc.not {
				if strings.Contains(b.String(), n) {
					t.Errorf("status holds %q:\n%s", n, b.String())
				}
			}
		})
	}
	// A failure that is the state's reason is not repeated.
	st := sampleStatus()
	st.State, st.Reason = keeper.ReloginRequired, "the refresh token was revoked"
	st.LastError = &oauth.Failure{At: now0, Kind: "relogin_required", Code: "invalid_grant", Message: "the refresh token was revoked"}
	var b bytes.Buffer
	writeStatus(&b, st, now0)
	if n := strings.Count(b.String(), "the refresh token was revoked"); n != 1 || !strings.Contains(b.String(), "Last failure:   relogin required at 12:00 UTC (now) (invalid_grant)") {
		t.Errorf("the reason appears %d times:\n%s", n, b.String())
	}
	// The same formatter as the window: 30 days less a minute is 29d 23h.
	if got := humanize.Duration(720*time.Hour - time.Minute); got != "29d 23h" {
		t.Fatalf("humanize.Duration = %q", got)
	}
}

// TestStatusAndTokenAgreeWithoutRefreshToken: with the refresh token entry
// gone, status says a login is needed, as token does once it must refresh.
func TestStatusAndTokenAgreeWithoutRefreshToken(t *testing.T) {
	h := newHarness(t, sandbox.Options{AutoAccept: true, AccessTTL: time.Second})
	h.addProfile("p")
	h.login("p")
	if err := h.sec.Delete("p", storage.KeyRefreshToken); err != nil {
		t.Fatal(err)
	}
	r := h.run("status", "--json")
	if r.code != ExitNeedsLogin || !strings.Contains(r.stdout, `"state": "relogin_required"`) || !strings.Contains(r.stderr, "tokendesk login -p p") {
		t.Fatalf("status without a refresh token: %+v", r)
	}
	time.Sleep(1100 * time.Millisecond) // the access token expires
	if r := h.run("token"); r.code != ExitNeedsLogin || r.stdout != "" {
		t.Fatalf("token without a refresh token: %+v", r)
	}
}
