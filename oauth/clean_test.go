package oauth

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "The user did not consent.", "The user did not consent."},
		{"newlines become spaces", "line one\r\nline two\tend", "line one  line two end"},
		{"CSI colour", "\x1b[31mred\x1b[0m text", "red text"},
		{"OSC title with BEL", "a\x1b]0;pwned\x07b", "ab"},
		{"OSC hyperlink with ST", "x\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\y", "xlinky"},
		{"C1 CSI 0x9b", "a\u009b2Jb", "ab"},
		{"C1 OSC 0x9d", "a\u009d0;t\u009cb", "ab"},
		{"DEL and NUL", "a\x7fb\x00c", "abc"},
		{"bidi override", "evil\u202Etxt.exe\u202C", "eviltxt.exe"},
		{"bidi isolates and marks", "a\u2066b\u2069c\u200Ed\u200Fe\u061Cf", "abcdef"},
		{"line separator", "a\u2028b", "a b"},
		{"invalid utf-8", "a\xffb", "ab"},
		{"unicode kept", "Zoë Åström 山田", "Zoë Åström 山田"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanText(tt.in); got != tt.want {
				t.Fatalf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanTextCapsLength(t *testing.T) {
	for _, in := range []string{strings.Repeat("é", 5000), strings.Repeat("x", 1<<20)} {
		got := CleanText(in)
		if n := utf8.RuneCountInString(got); n != MaxTextLen || !strings.HasSuffix(got, "…") {
			t.Fatalf("kept %d runes (%q…)", n, got[:10])
		}
	}
}

func TestScrubBeforeTruncating(t *testing.T) {
	const key, secret = "7c2b8d3e-5f4a-4e1b-9c6d-2a1f0e3b4c5d", "s3cret/value+with=odd&chars"
	token := "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0." + strings.Repeat("AQoAAAABAAUABwCAbcde", 20)
	basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(key) + ":" + url.QueryEscape(secret)))
	tests := []struct {
		name string
		in   string
	}{
		{"basic credential echoed", "bad header Authorization: Basic " + basic},
		{"raw basic credential echoed", "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"+secret))},
		{"secret echoed url-encoded", "client_secret=" + url.QueryEscape(secret)},
		{"token cut by the length cap", strings.Repeat("x", MaxTextLen-100) + " Bearer " + token},
		{"token prefix only", "token " + token[:40] + "… was rejected"},
		{"token past 64 KiB", strings.Repeat("y", preCap-30) + token},
	}
	secrets := secretForms(key, secret, token)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cleanScrub(tt.in, secrets)
			for _, piece := range []string{secret, url.QueryEscape(secret), basic[8:20], token[40:52], token[len(token)-12:], token[:12]} {
				if strings.Contains(got, piece) {
					t.Fatalf("piece %q of a secret survived in %q", piece, got)
				}
			}
			if utf8.RuneCountInString(got) > MaxTextLen {
				t.Fatalf("%d runes", utf8.RuneCountInString(got))
			}
		})
	}
	if got := cleanScrub("Token Desk asked for signature", secrets); got != "Token Desk asked for signature" {
		t.Fatalf("text without secrets changed: %q", got)
	}
}

func TestPrintableToken(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.AQoAAAABAAUABwCA-_~+/", true},
		{"YWJj==", true},
		{"", false},
		{"abc\x1b[2J", false},
		{"abc def", false},
		{"abc\n", false},
		{"ab=c", false},
		{"=abc", false},
		{"abc\u202E", false},
		{"tökén", false},
	}
	for _, tt := range tests {
		if got := PrintableToken(tt.in); got != tt.want {
			t.Errorf("PrintableToken(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzCleanText: whatever the input, the output has no control, bidi or
// line-break character and at most MaxTextLen runes, and is valid UTF-8.
func FuzzCleanText(f *testing.F) {
	f.Add("\x1b]0;title\x07\x1b[31mred\u009b2J\u202Eevil\r\n")
	f.Add(strings.Repeat("é", 400))
	f.Add("\x1b]8;;http://x\x1b\\")
	f.Fuzz(func(t *testing.T, s string) {
		got := CleanText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if n := utf8.RuneCountInString(got); n > MaxTextLen {
			t.Fatalf("%d runes", n)
		}
		for _, r := range got {
			if unicode.IsControl(r) || isBidi(r) || r == 0x2028 || r == 0x2029 || r == 0xFEFF {
				t.Fatalf("kept %U in %q", r, got)
			}
		}
	})
}
