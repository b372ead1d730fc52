package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// StatusJSON is the `tokendesk status --json` object. Its field names are a
// promise to users' scripts: add fields, never rename them. Times are RFC
// 3339 in UTC, null when unknown.
type StatusJSON struct {
	Profile                  string          `json:"profile"`
	Environment              string          `json:"environment"`
	State                    keeper.State    `json:"state"`
	Reason                   string          `json:"reason,omitempty"`
	Scopes                   []string        `json:"scopes"`
	ReportedScopes           []string        `json:"reported_scopes"`
	Extended                 bool            `json:"extended"`
	AccessTokenExpiresAt     *string         `json:"access_token_expires_at"`
	RefreshTokenIssuedAt     *string         `json:"refresh_token_issued_at"`
	RefreshTokenExpiresAt    *string         `json:"refresh_token_expires_at"`
	RefreshTokenExpirySource string          `json:"refresh_token_expiry_source"`
	RefreshTokenExpiringSoon bool            `json:"refresh_token_expiring_soon"`
	ConsentedAt              *string         `json:"consented_at"`
	LastRotationAt           *string         `json:"last_rotation_at"`
	NextRefreshAt            *string         `json:"next_refresh_at"`
	User                     *StatusUser     `json:"user"`
	Accounts                 []oauth.Account `json:"accounts"`
}

// StatusUser is the signed-in user in StatusJSON.
type StatusUser struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

func rfc(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// NewStatusJSON converts a keeper status.
func NewStatusJSON(st keeper.Status) StatusJSON {
	j := StatusJSON{Profile: st.Profile, Environment: string(st.Environment), State: st.State, Reason: st.Reason,
		Scopes: []string{}, ReportedScopes: []string{}, Accounts: []oauth.Account{}}
	if j.Environment == "" {
		j.Environment = string(oauth.Demo)
	}
	s := st.Session
	if s == nil {
		return j
	}
	j.Scopes = append(j.Scopes, s.RequestedScopes...)
	j.ReportedScopes = append(j.ReportedScopes, s.ReportedScopes...)
	j.Extended = s.Extended()
	j.AccessTokenExpiresAt = rfc(s.AccessExpiresAt)
	j.RefreshTokenIssuedAt = rfc(s.RefreshIssuedAt)
	j.RefreshTokenExpiresAt = rfc(st.RefreshExpiresAt)
	j.RefreshTokenExpirySource = string(st.RefreshExpirySource)
	j.RefreshTokenExpiringSoon = st.ExpiringSoon
	j.ConsentedAt = rfc(s.ConsentedAt)
	j.LastRotationAt = rfc(s.RotatedAt)
	j.NextRefreshAt = rfc(st.NextAttempt)
	if s.User != nil {
		j.User = &StatusUser{Name: s.User.Name, Email: s.User.Email}
		j.Accounts = append(j.Accounts, s.User.Accounts...)
	}
	return j
}

func runStatus(ctx context.Context, args []string, env Env) error {
	var asJSON *bool
	k, err := withKeeper(ctx, env, "status", args, func(fs *flag.FlagSet) {
		asJSON = fs.Bool("json", false, "print one JSON object")
	})
	if err != nil {
		return err
	}
	st := k.Status()
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(NewStatusJSON(st)); err != nil {
			return err
		}
	} else {
		writeStatus(env.Stdout, st, time.Now())
	}
	switch st.State {
	case keeper.SignedOut:
		return needsLogin{fmt.Sprintf("profile %q is not logged in", st.Profile)}
	case keeper.ReloginRequired:
		return needsLogin{fmt.Sprintf("profile %q needs a new login: %s", st.Profile, oneLine(st.Reason))}
	}
	return nil
}

// writeStatus prints the human form of a status.
func writeStatus(w io.Writer, st keeper.Status, now time.Time) {
	row := func(k, v string) { fmt.Fprintf(w, "%-15s %s\n", k+":", v) }
	row("Profile", fmt.Sprintf("%s (%s)", st.Profile, st.Environment.Label()))
	state := strings.ReplaceAll(string(st.State), "_", " ")
	if st.Reason != "" {
		state += " — " + oneLine(st.Reason)
	}
	row("State", state)
	s := st.Session
	if s == nil {
		return
	}
	if s.User != nil {
		row("User", fmt.Sprintf("%s <%s>", s.User.Name, s.User.Email))
	}
	sc := strings.Join(s.RequestedScopes, " ") + " (granted at consent)"
	if d := s.ScopesDropped(); len(d) > 0 {
		sc += fmt.Sprintf("; the last refresh reported only %q, as DocuSign always does — %s still granted",
			strings.Join(s.ReportedScopes, " "), strings.Join(d, " "))
	}
	row("Scopes", sc)
	if s.Extended() {
		row("Extended", "yes — every refresh renews the refresh token's lifetime")
	} else {
		row("Extended", "NO — the session ends on the date below however often it is refreshed")
	}
	row("Access token", fmt.Sprintf("expires %s (%s)", s.AccessExpiresAt.Local().Format(time.RFC1123), until(now, s.AccessExpiresAt)))
	src := "estimated from consent and rotation times"
	if st.RefreshExpirySource == oauth.SourceToken {
		src = "read from the token"
	}
	row("Refresh token", fmt.Sprintf("issued %s ago; expires %s (%s; %s)", age(now.Sub(s.RefreshIssuedAt)),
		st.RefreshExpiresAt.Local().Format(time.RFC1123), until(now, st.RefreshExpiresAt), src))
	if st.ExpiringSoon && st.State != keeper.ReloginRequired {
		row("Warning", "the refresh token expires soon: log in again now to avoid an outage")
	}
	row("Consented", s.ConsentedAt.Local().Format(time.RFC1123))
	if st.StorageError != "" {
		row("STORAGE", st.StorageError)
	}
}

func until(now, t time.Time) string {
	d := t.Sub(now)
	if d <= 0 {
		return "expired " + age(-d) + " ago"
	}
	return "in " + age(d)
}

// age renders a duration coarsely: 3d 4h, 7h 59m, 12m 3s.
func age(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd %dh", d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", d/time.Hour, (d%time.Hour)/time.Minute)
	}
	return fmt.Sprintf("%dm %ds", d/time.Minute, (d%time.Minute)/time.Second)
}
