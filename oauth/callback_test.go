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
		{"wrong state", "code=abc&state=S2", "", KindLogin, "does not belong"},
		{"missing state", "code=abc", "", KindLogin, "does not belong"},
		{"missing code", "state=S1", "", KindLogin, "without a usable authorization code"},
		{"denied (docusign wording)", "error=access_denied&error_message=The%20user%20did%20not%20consent%20to%20connecting%20the%20application.&state=S1", "", KindConsentDenied, "declined"},
		{"invalid request", "error=invalid_request&error_description=code_challenge%20required&state=S1", "", KindMisconfigured, "credentials"},
		{"invalid scope", "error=invalid_scope&state=S1", "", KindMisconfigured, "the requested scopes (signature extended)"},
		{"invalid scope says where", "error=invalid_scope&state=S1", "", KindMisconfigured, "DocuSign admin → Apps and Keys"},
		{"unknown error", "error=server_error&state=S1", "", KindLogin, "DocuSign ended the login"},
		{"error without state is not believed", "error=access_denied&error_description=Your+account+is+locked", "", KindLogin, "does not belong"},
		{"error with another state is not believed", "error=access_denied&state=S2", "", KindLogin, "does not belong"},
		{"two states", "code=abc&state=S1&state=S1", "", KindLogin, "does not belong"},
		{"iss matches", "code=abc&state=S1&iss=https%3A%2F%2Faccount-d.docusign.com%2F", "abc", 0, ""},
		{"iss of another server", "code=abc&state=S1&iss=https%3A%2F%2Fevil.example", "", KindLogin, "issuer"},
		{"iss of another server with an error", "error=access_denied&state=S1&iss=https%3A%2F%2Fevil.example", "", KindLogin, "issuer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			code, err := parseCallback(q, "S1", Demo, []string{"signature", "extended"})
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
	_, err := parseCallback(q, "S", Demo, []string{"signature", "extended"})
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
		code, perr := parseCallback(q, state, Demo, []string{"signature", "extended"})
		if (code == "") == (perr == nil) {
			t.Fatalf("exactly one of code and error must be set: %q %v", code, perr)
		}
		if perr != nil && q.Get("error") != "" && !stateMatches(q, state) && perr.Code != "" {
			t.Fatalf("believed an error from a redirect without this login's state: %v", perr)
		}
		if code != "" && (state == "" || q.Get("state") != state || q.Get("error") != "") {
			t.Fatalf("accepted a code with state %q (want %q) or with an error", q.Get("state"), state)
		}
	})
}

func TestParseCallbackCustomServerName(t *testing.T) {
	q, _ := url.ParseQuery("error=server_error&state=S")
	_, err := parseCallback(q, "S", Environment("https://auth.example.com"), nil)
	if !strings.Contains(err.Error(), "the account server (https://auth.example.com) ended the login") || strings.Contains(err.Error(), "DocuSign") {
		t.Fatalf("got %v", err)
	}
}

func TestParsePasted(t *testing.T) {
	tests := []struct {
		name, in  string
		wantState string // "" means rejected
	}{
		{"whole address", "http://127.0.0.1:8765/callback?code=abc&state=S1", "S1"},
		{"with spaces and newline", "  http://127.0.0.1:8765/callback?code=abc&state=S1\n", "S1"},
		{"query only", "code=abc&state=S1", "S1"},
		{"error address", "http://127.0.0.1:8765/callback?error=access_denied&state=S1", "S1"},
		{"fragment dropped", "http://127.0.0.1:8765/callback?code=abc&state=S1#x", "S1"},
		{"consent URL instead", "https://account-d.docusign.com/oauth/auth?response_type=code&state=S1", ""},
		{"empty", "   ", ""},
		{"bad escape", "http://127.0.0.1:8765/callback?code=%zz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := parsePasted(tt.in)
			if tt.wantState == "" {
				if err == nil || !strings.Contains(err.Error(), "paste the whole address") {
					t.Fatalf("want rejection, got %v %v", q, err)
				}
				return
			}
			if err != nil || q.Get("state") != tt.wantState {
				t.Fatalf("got %v %v", q, err)
			}
		})
	}
}
