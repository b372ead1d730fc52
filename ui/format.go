package ui

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/keeper"
)

// TokenFormat is a way to put an access token on the clipboard.
type TokenFormat string

// The copy formats, in the order the window offers them.
const (
	// FormatRaw is the bare token.
	FormatRaw TokenFormat = "raw"
	// FormatHeader is an HTTP header line: Authorization: Bearer TOKEN.
	FormatHeader TokenFormat = "header"
	// FormatCurl is a curl argument: -H "Authorization: Bearer TOKEN".
	FormatCurl TokenFormat = "curl"
	// FormatExport is a shell line: export DOCUSIGN_ACCESS_TOKEN=TOKEN.
	FormatExport TokenFormat = "export"
)

// TokenFormats lists every format in menu order.
var TokenFormats = []TokenFormat{FormatRaw, FormatHeader, FormatCurl, FormatExport}

// Label is the format's name in the copy-format picker.
func (f TokenFormat) Label() string {
	switch f {
	case FormatHeader:
		return "Authorization: Bearer …"
	case FormatCurl:
		return `curl -H "Authorization: Bearer …"`
	case FormatExport:
		return "export DOCUSIGN_ACCESS_TOKEN=…"
	}
	return "Raw token"
}

func formatByLabel(label string) TokenFormat {
	for _, f := range TokenFormats {
		if f.Label() == label {
			return f
		}
	}
	return FormatRaw
}

// FormatToken renders token in the given format; unknown formats give the
// raw token.
func FormatToken(format TokenFormat, token string) string {
	switch format {
	case FormatHeader:
		return "Authorization: Bearer " + token
	case FormatCurl:
		return `-H "Authorization: Bearer ` + token + `"`
	case FormatExport:
		return "export DOCUSIGN_ACCESS_TOKEN=" + token
	}
	return token
}

// FormatActivity renders the activity log as plain text, one line per entry
// in the given order, for export. Activity entries never hold tokens.
func FormatActivity(acts []keeper.Activity) string {
	var b strings.Builder
	b.WriteString("# Token Desk activity (times UTC)\n")
	b.WriteString("# time\taction\ttrigger\toutcome\tcode\tduration\tdetail\n")
	for _, a := range acts {
		code := a.Code
		if code == "" {
			code = "-"
		}
		detail := a.Message
		if a.Description != "" && !strings.Contains(detail, a.Description) {
			detail = strings.TrimSpace(detail + " (" + a.Description + ")")
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			a.Time.UTC().Format(time.RFC3339), dash(a.Action), dash(a.Trigger), dash(a.Outcome), code,
			humanize.Elapsed(a.Duration), dash(oneLine(detail)))
	}
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// formatCountdown prints a duration as "7h 59m 12s", "3d 4h 5m" or "42s",
// truncated to whole seconds; negative durations print as their magnitude.
func formatCountdown(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Truncate(time.Second)
	days := int(d / (24 * time.Hour))
	h := int(d/time.Hour) % 24
	m := int(d/time.Minute) % 60
	s := int(d/time.Second) % 60
	// Seconds only in the last ten minutes: above that the text changes once
	// a minute, so an idle window repaints once a minute, not every second.
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh %dm", days, h, m)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case m >= 10:
		return fmt.Sprintf("%dm", m)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

func formatClock(t time.Time) string {
	return t.Local().Format("15:04:05")
}

func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("refusing to open %q: not an http(s) URL", u.Redacted())
	}
	return u, nil
}
