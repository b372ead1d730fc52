package tokenfmt

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

var sample = Token{
	AccessToken: "eyJ0eXAi.abc-_DEF+/=",
	ExpiresAt:   time.Date(2026, 12, 1, 16, 2, 0, 0, time.FixedZone("CET", 3600)),
	Profile:     "prod",
	AccountID:   "0a1b2c3d-0000-4000-8000-000000000001",
	BaseURI:     "https://na3.docusign.net",
}

func TestRender(t *testing.T) {
	bare := Token{AccessToken: "tok", Profile: "p"}
	for _, tc := range []struct {
		f    Format
		tok  Token
		want string
	}{
		{Raw, sample, sample.AccessToken},
		{Header, sample, "Authorization: Bearer " + sample.AccessToken},
		{Curl, sample, `-H "Authorization: Bearer ` + sample.AccessToken + `"`},
		{Export, sample, "export DOCUSIGN_ACCESS_TOKEN=" + sample.AccessToken},
		{Env, sample, "export DOCUSIGN_ACCESS_TOKEN=" + sample.AccessToken +
			"\nexport DOCUSIGN_ACCOUNT_ID=0a1b2c3d-0000-4000-8000-000000000001" +
			"\nexport DOCUSIGN_BASE_URI=https://na3.docusign.net"},
		{Env, bare, "export DOCUSIGN_ACCESS_TOKEN=tok"},
		{Env, Token{AccessToken: "a b'c"}, `export DOCUSIGN_ACCESS_TOKEN='a b'\''c'`},
		{JSON, sample, `{"access_token":"eyJ0eXAi.abc-_DEF+/=","expires_at":"2026-12-01T15:02:00Z","profile":"prod",` +
			`"account_id":"0a1b2c3d-0000-4000-8000-000000000001","base_uri":"https://na3.docusign.net"}`},
		{JSON, bare, `{"access_token":"tok","expires_at":null,"profile":"p","account_id":null,"base_uri":null}`},
		{Format("bogus"), sample, sample.AccessToken},
	} {
		if got := Render(tc.f, tc.tok); got != tc.want {
			t.Errorf("Render(%s, %+v) =\n%s\nwant\n%s", tc.f, tc.tok.Profile, got, tc.want)
		}
	}
}

func TestJSONFields(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal([]byte(Render(JSON, sample)), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"access_token", "expires_at", "profile", "account_id", "base_uri"} {
		if _, ok := m[k]; !ok {
			t.Errorf("json lacks %q: %v", k, m)
		}
	}
	if len(m) != 5 {
		t.Errorf("json has %d fields, want 5: %v", len(m), m)
	}
}

// TestEnvInShell evaluates the env format in a real shell and reads the
// variables back, including values that need quoting.
func TestEnvInShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, tok := range []Token{sample, {AccessToken: `we'ird $(echo injected) "tok"`, AccountID: "a b", BaseURI: "https://x/;y"}} {
		script := Render(Env, tok) + "\nprintf '%s\\n%s\\n%s' \"$DOCUSIGN_ACCESS_TOKEN\" \"$DOCUSIGN_ACCOUNT_ID\" \"$DOCUSIGN_BASE_URI\""
		out, err := exec.Command(sh, "-c", script).Output()
		if err != nil {
			t.Fatalf("sh: %v", err)
		}
		if want := tok.AccessToken + "\n" + tok.AccountID + "\n" + tok.BaseURI; string(out) != want {
			t.Errorf("shell read back %q, want %q", out, want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"raw", Raw, false}, {"header", Header, false}, {"env", Env, false}, {"json", JSON, false},
		{"curl", Curl, false}, {"export", Export, false},
		{"JSON", "", true}, {"", "", true}, {"yaml", "", true},
	} {
		got, err := Parse(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("Parse(%q) = %q, %v", tc.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "raw, header, env, json") {
			t.Errorf("Parse(%q) error does not list the formats: %v", tc.in, err)
		}
	}
}

func TestLabels(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range WindowFormats {
		l := f.Label()
		if seen[l] {
			t.Errorf("label %q used twice", l)
		}
		seen[l] = true
		if ByLabel(l) != f {
			t.Errorf("ByLabel(%q) = %q, want %q", l, ByLabel(l), f)
		}
	}
	if ByLabel("nonsense") != Raw {
		t.Error("an unknown label does not fall back to raw")
	}
}

func TestVars(t *testing.T) {
	got := strings.Join(Vars(sample), "|")
	want := "DOCUSIGN_ACCESS_TOKEN=" + sample.AccessToken + "|DOCUSIGN_ACCOUNT_ID=" + sample.AccountID + "|DOCUSIGN_BASE_URI=" + sample.BaseURI
	if got != want {
		t.Errorf("Vars = %q, want %q", got, want)
	}
	if got := Vars(Token{AccessToken: "t"}); len(got) != 1 {
		t.Errorf("Vars without account = %q", got)
	}
}
