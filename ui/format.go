package ui

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/keeper"
)

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
