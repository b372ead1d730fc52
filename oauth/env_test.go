package oauth

import (
	"strings"
	"testing"
)

func TestParseEnvironment(t *testing.T) {
	tests := []struct {
		in, want string
		prod     bool
		errHas   string
	}{
		{"demo", "demo", false, ""},
		{"", "demo", false, ""},
		{"PRODUCTION", "production", true, ""},
		{"prod", "production", true, ""},
		{"http://127.0.0.1:8400/", "http://127.0.0.1:8400", false, ""},
		{"http://localhost:8400", "http://localhost:8400", false, ""},
		{"http://[::1]:8400", "http://[::1]:8400", false, ""},
		{"http://127.1.2.3:8400/base/", "http://127.1.2.3:8400/base", false, ""},
		{"HTTPS://Auth.Example.com/", "https://auth.example.com", false, ""},
		{"https://auth.example.com:8443", "https://auth.example.com:8443", false, ""},
		{"http://account.docusign.com", "", false, "plain http to a remote host"},
		{"http://10.0.0.5:8080", "", false, "plain http"},
		{"http://127.0.0.1:99999", "", false, "1 to 65535"},
		{"http://127.0.0.1:0", "", false, "1 to 65535"},
		{"http://127.0.0.1:", "", false, "empty port"},
		{"ftp://x", "", false, "not demo, production"},
		{"https://x/?a=b", "", false, "query"},
		{"https://user:pw@x", "", false, "user info"},
		{"nonsense", "", false, "not demo, production"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEnvironment(tt.in)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("ParseEnvironment(%q) = %q, %v; want an error with %q", tt.in, got, err, tt.errHas)
				}
				return
			}
			if err != nil || string(got) != tt.want || got.IsProduction() != tt.prod {
				t.Fatalf("ParseEnvironment(%q) = %q, %v", tt.in, got, err)
			}
		})
	}
	if Production.Endpoints().TokenURL != "https://account.docusign.com/oauth/token" ||
		Demo.Endpoints().AuthURL != "https://account-d.docusign.com/oauth/auth" {
		t.Fatal("wrong DocuSign endpoints")
	}
}

func TestEnvironmentInfo(t *testing.T) {
	all := Environments()
	if len(all) != 2 || all[0].Env != Demo || all[1].Env != Production || !all[1].Production || all[0].Production {
		t.Fatalf("table %+v", all)
	}
	all[1].Aliases[0] = "changed"
	if Environments()[1].Aliases[0] != "prod" {
		t.Fatal("Environments hands out the table itself")
	}
	tests := []struct {
		env                 Environment
		label, base, server string
		loopback, docusign  bool
	}{
		{Demo, "DEMO", DemoBaseURL, "DocuSign", false, true},
		{"", "DEMO", DemoBaseURL, "DocuSign", false, true},
		{Production, "PRODUCTION", ProductionBaseURL, "DocuSign", false, true},
		{"http://127.0.0.1:8400", "127.0.0.1:8400", "http://127.0.0.1:8400", "the account server (http://127.0.0.1:8400)", true, false},
		{"https://auth.example.com", "auth.example.com", "https://auth.example.com", "the account server (https://auth.example.com)", false, false},
	}
	for _, tt := range tests {
		in := tt.env.Info()
		if in.Label != tt.label || tt.env.Label() != tt.label || in.BaseURL != tt.base || tt.env.BaseURL() != tt.base ||
			tt.env.IsLoopback() != tt.loopback || tt.env.IsDocuSign() != tt.docusign || tt.env.serverName() != tt.server || in.Description == "" {
			t.Errorf("%q: info %+v loopback=%v docusign=%v server=%q", tt.env, in, tt.env.IsLoopback(), tt.env.IsDocuSign(), tt.env.serverName())
		}
	}
}

// TestMessagesNameTheServer: every class of failure names DocuSign for
// DocuSign's environments and the account server's URL for any other.
func TestMessagesNameTheServer(t *testing.T) {
	replies := []*serverReply{
		{Status: 503}, {Status: 400, Code: "invalid_grant"}, {Status: 401, Code: "invalid_client"},
		{Status: 400, Code: "invalid_scope"}, {Status: 400, Code: "invalid_request"},
	}
	for _, env := range []Environment{Demo, Production, "https://auth.example.com"} {
		for _, r := range replies {
			msg := call{op: "refresh", env: env, scopes: DefaultScopes}.reply(r).Error()
			if env.IsDocuSign() != strings.Contains(msg, "DocuSign") || !env.IsDocuSign() && !strings.Contains(msg, "(https://auth.example.com)") {
				t.Errorf("%s, %+v: %q", env, r, msg)
			}
		}
	}
}

// TestNewClientRefusesPlainHTTP: a client cannot be built for plain http
// to a remote host, however its Config was made.
func TestNewClientRefusesPlainHTTP(t *testing.T) {
	for env, ok := range map[Environment]bool{
		"http://account.docusign.com": false, "http://127.0.0.1:99999": false,
		"http://127.0.0.1:8400": true, "https://auth.example.com": true, Demo: true, "": true,
	} {
		_, err := NewClient(Config{Environment: env, IntegrationKey: "k"})
		if (err == nil) != ok {
			t.Errorf("NewClient(%q): %v", env, err)
		}
		if err != nil && KindOf(err) != KindMisconfigured {
			t.Errorf("NewClient(%q): kind %v", env, KindOf(err))
		}
	}
}
