package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tokendesk/tokendesk/agent"
	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// StatusJSON is the `tokendesk status --json` object. Its field names are a
// promise to users' scripts: add fields, never rename them. Times are RFC
// 3339 in UTC, null when unknown.
type StatusJSON struct {
	Profile     string       `json:"profile"`
	Environment string       `json:"environment"`
	State       keeper.State `json:"state"`
	Reason      string       `json:"reason,omitempty"`
	// Scopes are the scopes granted at consent: those asked for, less any
	// the server's answer showed it did not grant.
	Scopes []string `json:"scopes"`
	// ReportedScopes are the scopes the last token response reported.
	ReportedScopes []string `json:"reported_scopes"`
	// RequestedScopes are the scopes asked for at consent, and
	// NotGrantedScopes those of them the server did not grant.
	RequestedScopes  []string `json:"requested_scopes"`
	NotGrantedScopes []string `json:"not_granted_scopes"`
	Extended         bool     `json:"extended"`
	// ExtendedEvidence is what Extended rests on: "requested" (asked for at
	// consent) or "token" (a rotated refresh token carried a fresh full
	// lifetime); null when signed out or not extended.
	ExtendedEvidence         *string         `json:"extended_evidence"`
	AccessTokenExpiresAt     *string         `json:"access_token_expires_at"`
	RefreshTokenIssuedAt     *string         `json:"refresh_token_issued_at"`
	RefreshTokenExpiresAt    *string         `json:"refresh_token_expires_at"`
	RefreshTokenExpirySource string          `json:"refresh_token_expiry_source"`
	RefreshTokenExpiringSoon bool            `json:"refresh_token_expiring_soon"`
	ConsentedAt              *string         `json:"consented_at"`
	LastRotationAt           *string         `json:"last_rotation_at"`
	NextRefreshAt            *string         `json:"next_refresh_at"`
	LastError                *LastErrorJSON  `json:"last_error"`
	User                     *StatusUser     `json:"user"`
	Accounts                 []oauth.Account `json:"accounts"`
	// KeptAliveBy is the running app that refreshes the session (null when
	// none runs for this configuration).
	KeptAliveBy *agent.Info `json:"kept_alive_by"`
}

// StatusUser is the signed-in user in StatusJSON.
type StatusUser struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// LastErrorJSON is the last failed refresh in StatusJSON, whichever process
// made it.
type LastErrorJSON struct {
	At      *string `json:"at"`
	Kind    string  `json:"kind"`
	Code    *string `json:"code"`
	Message string  `json:"message"`
	// RetryAfter is the earliest time the server allows another attempt.
	RetryAfter *string `json:"retry_after"`
}

func rfc(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// notGranted lists the scopes asked for at consent that the server did
// not grant (nil when signed out or unknown).
func notGranted(s *oauth.Session) []string {
	if s == nil {
		return nil
	}
	return s.NotGranted()
}

// extendedEvidence is what the extended claim rests on: "token",
// "requested", or "" when the session is not extended.
func extendedEvidence(st keeper.Status) string {
	if st.ExtendedEvidence != "" || st.Session == nil {
		return st.ExtendedEvidence
	}
	return st.Session.ExtendedEvidence()
}

// lastError is the last failed refresh, from the status or the session.
func lastError(st keeper.Status) *oauth.Failure {
	if st.LastError != nil {
		return st.LastError
	}
	if st.Session != nil {
		return st.Session.LastFailure
	}
	return nil
}

// NewStatusJSON converts a keeper status.
func NewStatusJSON(st keeper.Status) StatusJSON {
	j := StatusJSON{Profile: st.Profile, Environment: string(st.Environment), State: st.State, Reason: oauth.CleanText(st.Reason),
		Scopes: []string{}, ReportedScopes: []string{}, RequestedScopes: []string{}, NotGrantedScopes: []string{},
		Accounts: []oauth.Account{}}
	if j.Environment == "" {
		j.Environment = string(oauth.Demo)
	}
	s := st.Session
	if s == nil {
		return j
	}
	ng := notGranted(s)
	for _, sc := range s.RequestedScopes {
		if !slices.Contains(ng, sc) {
			j.Scopes = append(j.Scopes, sc)
		}
	}
	j.RequestedScopes = append(j.RequestedScopes, s.RequestedScopes...)
	j.NotGrantedScopes = append(j.NotGrantedScopes, ng...)
	j.ReportedScopes = append(j.ReportedScopes, s.ReportedScopes...)
	j.Extended = s.Extended()
	j.ExtendedEvidence = optString(extendedEvidence(st))
	j.AccessTokenExpiresAt = rfc(accessExpiry(st))
	j.RefreshTokenIssuedAt = rfc(s.RefreshIssuedAt)
	j.RefreshTokenExpiresAt = rfc(st.RefreshExpiresAt)
	j.RefreshTokenExpirySource = string(st.RefreshExpirySource)
	j.RefreshTokenExpiringSoon = st.ExpiringSoon
	j.ConsentedAt = rfc(s.ConsentedAt)
	j.LastRotationAt = rfc(s.RotatedAt)
	j.NextRefreshAt = rfc(st.NextAttempt)
	if f := lastError(st); f != nil {
		j.LastError = &LastErrorJSON{At: rfc(f.At), Kind: f.Kind, Code: optString(oauth.CleanText(f.Code)),
			Message: oauth.CleanText(f.Message), RetryAfter: rfc(f.RetryAfter)}
	}
	if s.User != nil {
		j.User = &StatusUser{Name: oauth.CleanText(s.User.Name), Email: oauth.CleanText(s.User.Email)}
		for _, a := range s.User.Accounts {
			j.Accounts = append(j.Accounts, oauth.Account{AccountID: oauth.CleanText(a.AccountID), AccountName: oauth.CleanText(a.AccountName),
				IsDefault: a.IsDefault, BaseURI: oauth.CleanText(a.BaseURI)})
		}
	}
	return j
}

func runStatus(ctx context.Context, args []string, env Env) error {
	var asJSON *bool
	s, err := withKeeper(ctx, env, "status", args, func(fs *flag.FlagSet) {
		asJSON = fs.Bool("json", false, "print one JSON object")
	})
	if err != nil {
		return err
	}
	// One read of the refresh token, so status and token agree when it is
	// missing or damaged.
	if err := s.k.Verify(ctx); err != nil {
		return err
	}
	return printStatus(env, s.k.Status(), *asJSON, keptAlive(ctx)) // cli/agentpath.go
}

// humanWhen is a time as status and the window show it, with its distance
// from now: "Tue 1 Dec 16:02 CET (in 2d 3h)".
func humanWhen(t, now time.Time) string {
	return humanize.WhenRelative(t, now)
}

func expirySourceWords(src oauth.ExpirySource) string {
	if src == oauth.SourceToken {
		return "read from the token"
	}
	return "estimated from consent and rotation times"
}

// writeStatus prints the human form of a status.
func writeStatus(w io.Writer, st keeper.Status, now time.Time) {
	row := func(k, v string) { fmt.Fprintf(w, "%-15s %s\n", k+":", v) }
	row("Profile", fmt.Sprintf("%s (%s)", st.Profile, st.Environment.Label()))
	state := strings.ReplaceAll(string(st.State), "_", " ")
	if st.Reason != "" {
		state += " — " + oauth.CleanText(st.Reason)
	}
	row("State", state)
	if f := lastError(st); f != nil {
		e := fmt.Sprintf("%s at %s", strings.ReplaceAll(f.Kind, "_", " "), humanWhen(f.At, now))
		if msg := oauth.CleanText(f.Message); msg != oauth.CleanText(st.Reason) {
			e += ": " + msg // the State line says it already otherwise
		} else if f.Code != "" {
			e += " (" + oauth.CleanText(f.Code) + ")"
		}
		if !f.RetryAfter.IsZero() && f.RetryAfter.After(now) {
			e += "; the server asked for no retry before " + humanWhen(f.RetryAfter, now)
		}
		row("Last failure", e)
	}
	s := st.Session
	if s == nil {
		return
	}
	if s.User != nil {
		row("User", fmt.Sprintf("%s <%s>", oauth.CleanText(s.User.Name), oauth.CleanText(s.User.Email)))
	} else {
		row("User", "unknown: the user and accounts could not be read at login")
	}
	writeScopes(row, st)
	if st.State == keeper.ReloginRequired {
		if !st.DiedAt.IsZero() {
			row("Died", humanWhen(st.DiedAt, now))
		}
		row("Consented", humanWhen(s.ConsentedAt, now))
		return // a dead session has no remaining life to show
	}
	row("Access token", "expires "+humanWhen(accessExpiry(st), now))
	row("Refresh token", fmt.Sprintf("issued %s ago; expires %s (%s; %s)", humanize.Age(now.Sub(s.RefreshIssuedAt)),
		humanize.When(st.RefreshExpiresAt, now), humanize.Relative(st.RefreshExpiresAt, now), expirySourceWords(st.RefreshExpirySource)))
	switch {
	case st.LastRefresh != nil && st.LastRefresh.OK:
		row("Last refresh", humanWhen(st.LastRefresh.At, now))
	case !s.RotatedAt.IsZero():
		row("Last refresh", humanWhen(s.RotatedAt, now))
	}
	if !st.NextAttempt.IsZero() {
		what := "Next refresh"
		if st.NextKind == keeper.NextRetry {
			what = "Next retry"
		}
		row(what, humanWhen(st.NextAttempt, now))
	}
	if st.ExpiringSoon {
		row("Warning", "the refresh token expires soon: log in again now to avoid an outage")
	}
	row("Consented", humanWhen(s.ConsentedAt, now))
	if st.StorageError != "" {
		row("STORAGE", st.StorageError)
	}
}

// writeScopes prints what was granted, what was asked for but not granted,
// and what the extended claim rests on.
func writeScopes(row func(k, v string), st keeper.Status) {
	s := st.Session
	ng := notGranted(s)
	var granted []string
	for _, sc := range s.RequestedScopes {
		if !slices.Contains(ng, sc) {
			granted = append(granted, sc)
		}
	}
	sc := strings.Join(granted, " ") + " (granted at consent)"
	var dropped []string
	for _, sc := range s.ScopesDropped() {
		if !slices.Contains(ng, sc) {
			dropped = append(dropped, sc)
		}
	}
	if d := dropped; len(d) > 0 {
		sc += fmt.Sprintf("; the last refresh reported only %q, as %s does after a refresh — %s still granted",
			strings.Join(s.ReportedScopes, " "), serverName(st.Environment), strings.Join(d, " "))
	}
	row("Scopes", sc)
	if len(ng) > 0 {
		row("Not granted", strings.Join(ng, " ")+" (asked for at consent, but the server did not grant it)")
	}
	switch extendedEvidence(st) {
	case oauth.EvidenceToken:
		row("Extended", "yes — confirmed: a rotated refresh token carried a fresh full lifetime, so every refresh renews it")
	case oauth.EvidenceRequested:
		row("Extended", "yes — requested at consent (not yet confirmed by a rotated token); every refresh should renew the refresh token's lifetime")
	default:
		row("Extended", "NO — the session ends on the date below however often it is refreshed")
	}
}
