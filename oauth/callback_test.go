package oauth

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseCallback(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		wantCode string
		wantKind Kind
		wantMsg  string
	}{
		{"ok", "code=abc&state=S1", "abc", 0, ""},
		{"wrong state", "code=abc&state=S2", "", KindLogin, "does not match"},
		{"missing state", "code=abc", "", KindLogin, "does not match"},
		{"missing code", "state=S1", "", KindLogin, "without a usable authorization code"},
		{"denied (docusign wording)", "error=access_denied&error_message=The%20user%20did%20not%20consent%20to%20connecting%20the%20application.&state=S1", "", KindConsentDenied, "declined"},
		{"invalid request", "error=invalid_request&error_description=code_challenge%20required&state=S1", "", KindMisconfigured, "credentials"},
		{"unknown error", "error=server_error&state=S1", "", KindLogin, "ended the login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			code, err := parseCallback(q, "S1")
			if tt.wantCode != "" {
				if err != nil || code != tt.wantCode {
					t.Fatalf("got %q, %v", code, err)
				}
				return
			}
			if err == nil || err.Kind != tt.wantKind || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("got %v, want kind %v with %q", err, tt.wantKind, tt.wantMsg)
			}
			if code != "" {
				t.Fatal("a code was returned along with an error")
			}
		})
	}
}

func TestParseCallbackDeniedKeepsDocuSignMessage(t *testing.T) {
	q, _ := url.ParseQuery("error=access_denied&error_message=The%20user%20did%20not%20consent&state=S")
	_, err := parseCallback(q, "S")
	if err.Code != "access_denied" || err.Description != "The user did not consent" {
		t.Fatalf("got code=%q desc=%q", err.Code, err.Description)
	}
}

func FuzzParseCallback(f *testing.F) {
	f.Add("code=abc&state=S1", "S1")
	f.Add("error=access_denied&error_message=no&state=S1", "S1")
	f.Add("code=&state=", "")
	f.Add("state=S1&state=S2&code=a&code=b", "S1")
	f.Fuzz(func(t *testing.T, raw, state string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		code, perr := parseCallback(q, state)
		if (code == "") == (perr == nil) {
			t.Fatalf("exactly one of code and error must be set: %q %v", code, perr)
		}
		if code != "" && (state == "" || q.Get("state") != state || q.Get("error") != "") {
			t.Fatalf("accepted a code with state %q (want %q) or with an error", q.Get("state"), state)
		}
		if perr != nil && code != "" && strings.Contains(perr.Error(), code) {
			t.Fatal("error repeats the code")
		}
	})
}
