package oauth

import (
	"encoding/base64"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxTextLen is the most runes CleanText keeps of a server string.
const MaxTextLen = 300

// preCap bounds how much of a server string is looked at at all, so a 1 MiB
// description costs little; scrubbing works on windows, so a secret cut here
// is still caught.
const preCap = 64 << 10

// minSecretRun is the shortest piece of a secret that is redacted wherever
// it appears.
const minSecretRun = 8

// redactedMark replaces every redacted run.
const redactedMark = "[redacted]"

// CleanText makes a server-supplied string (an OAuth error or description,
// a userinfo name, email or account name) safe to print on a terminal, in a
// window or in a log: it drops C0 and C1 control characters (incl. DEL and
// the one-byte CSI 0x9b) together with the escape sequences they start (CSI,
// OSC), bidirectional controls, and line breaks (replaced by a space), and
// caps the result at MaxTextLen runes, ending in "…" when cut.
func CleanText(s string) string { return capText(stripControls(s)) }

// cleanScrub is CleanText that also redacts secrets before it truncates
// (see scrubText), so a cut can never leave a readable piece of a secret.
func cleanScrub(s string, secrets []string) string {
	return capText(scrubText(stripControls(s), secrets))
}

// PrintableToken reports whether s is a non-empty token made only of the
// RFC 6750 b64token characters (A–Z a–z 0–9 - . _ ~ + / and trailing =), so
// printing it cannot drive a terminal or split a header.
func PrintableToken(s string) bool {
	if s == "" {
		return false
	}
	pad := false
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b == '=':
			pad = true
		case pad:
			return false // '=' only at the end
		case b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z', b >= '0' && b <= '9',
			b == '-', b == '.', b == '_', b == '~', b == '+', b == '/':
		default:
			return false
		}
	}
	return s[0] != '='
}

// isBidi reports the Unicode bidirectional formatting characters that can
// make text display in another order than it is stored.
func isBidi(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x200E || r == 0x200F || r == 0x061C
}

// stripControls removes control characters, escape sequences and bidi
// controls, and turns line breaks and tabs into spaces.
func stripControls(s string) string {
	if len(s) > preCap {
		s = s[:preCap]
	}
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == 0x2028 || r == 0x2029 || r == 0x85:
			b.WriteByte(' ')
		case r == 0x1b && i+1 < len(rs) && rs[i+1] == '[', r == 0x9b:
			// CSI: parameters and intermediates up to a final byte 0x40–0x7e.
			if r == 0x1b {
				i++
			}
			for i+1 < len(rs) && !(rs[i+1] >= 0x40 && rs[i+1] <= 0x7e) && rs[i+1] < 0x80 {
				i++
			}
			if i+1 < len(rs) && rs[i+1] < 0x80 {
				i++
			}
		case r == 0x1b && i+1 < len(rs) && (rs[i+1] == ']' || rs[i+1] == 'P' || rs[i+1] == '_' || rs[i+1] == '^'), r == 0x9d, r == 0x90:
			// OSC, DCS, APC, PM: a string up to BEL or ST (ESC \ or 0x9c).
			if r == 0x1b {
				i++
			}
			for i+1 < len(rs) {
				i++
				if rs[i] == 0x07 || rs[i] == 0x9c {
					break
				}
				if rs[i] == 0x1b && i+1 < len(rs) && rs[i+1] == '\\' {
					i++
					break
				}
			}
		case r == 0x1b:
			if i+1 < len(rs) && rs[i+1] >= 0x20 && rs[i+1] < 0x7f {
				i++ // a two-character escape such as ESC c
			}
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || isBidi(r) || r == 0xFEFF:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// capText trims spaces and keeps at most MaxTextLen runes.
func capText(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= MaxTextLen {
		return s
	}
	rs := []rune(s)
	return strings.TrimSpace(string(rs[:MaxTextLen-1])) + "…"
}

// scrubText replaces every run of at least minSecretRun bytes that also
// occurs in one of secrets (a whole secret, a prefix, any piece) with
// "[redacted]". Secrets shorter than minSecretRun are replaced only whole.
func scrubText(s string, secrets []string) string {
	windows := map[string]struct{}{}
	var short []string
	for _, sec := range secrets {
		if len(sec) < minSecretRun {
			if len(sec) >= 4 {
				short = append(short, sec)
			}
			continue
		}
		for i := 0; i+minSecretRun <= len(sec); i++ {
			windows[sec[i:i+minSecretRun]] = struct{}{}
		}
	}
	for _, sec := range short {
		s = strings.ReplaceAll(s, sec, redactedMark)
	}
	if len(windows) == 0 || len(s) < minSecretRun {
		return s
	}
	hit := make([]bool, len(s))
	any := false
	for i := 0; i+minSecretRun <= len(s); i++ {
		if _, ok := windows[s[i:i+minSecretRun]]; ok {
			for j := i; j < i+minSecretRun; j++ {
				hit[j] = true
			}
			any = true
		}
	}
	if !any {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if !hit[i] {
			b.WriteByte(s[i])
			continue
		}
		b.WriteString(redactedMark)
		for i+1 < len(s) && hit[i+1] {
			i++
		}
	}
	return strings.ToValidUTF8(b.String(), "")
}

// secretForms returns each secret with the forms a server may echo it in:
// URL-encoded, and for the client secret the HTTP Basic credential
// base64(key:secret) with its URL-encoded forms.
func secretForms(key, clientSecret string, secrets ...string) []string {
	var out []string
	add := func(s string) {
		if s == "" {
			return
		}
		out = append(out, s)
		if q := url.QueryEscape(s); q != s {
			out = append(out, q)
		}
		if p := url.PathEscape(s); p != s {
			out = append(out, p)
		}
	}
	for _, s := range secrets {
		add(s)
	}
	if clientSecret != "" {
		add(clientSecret)
		add(base64.StdEncoding.EncodeToString([]byte(key + ":" + clientSecret)))
		// x/oauth2 URL-encodes key and secret before joining them (RFC 6749 2.3.1).
		add(base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(key) + ":" + url.QueryEscape(clientSecret))))
	}
	return out
}
