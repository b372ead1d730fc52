package oauth

import (
	"strings"
	"testing"
)

func TestParseTokenResponse(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		ctype     string
		body      string
		wantOK    bool
		wantKind  Kind
		wantCode  string
		wantInMsg string
	}{
		{"docusign exchange", 200, "application/json", `{"access_token":"AT","token_type":"Bearer","refresh_token":"RT","expires_in":28800,"scope":"signature extended"}`, true, 0, "", ""},
		{"expires_in as string", 200, "application/json; charset=utf-8", `{"access_token":"AT","expires_in":"28800"}`, true, 0, "", ""},
		{"expires_in as float", 200, "application/json", `{"access_token":"AT","refresh_token":"RT","expires_in":28800.0}`, true, 0, "", ""},
		{"expires_in as float string", 200, "application/json", `{"access_token":"AT","expires_in":"28800.0"}`, true, 0, "", ""},
		{"expires_in huge", 200, "application/json", `{"access_token":"AT","expires_in":1e300}`, false, KindTransient, "", "not a valid"},
		{"expires_in not a number", 200, "application/json", `{"access_token":"AT","expires_in":"soon"}`, false, KindTransient, "", "not a valid"},
		{"invalid_scope", 400, "application/json", `{"error":"invalid_scope"}`, false, KindMisconfigured, "invalid_scope", "Apps and Keys"},
		{"json null body", 200, "application/json", `null`, false, KindTransient, "", "not a valid"},
		{"extra fields", 200, "application/json", `{"access_token":"AT","expires_in":28800,"user_api":null,"data":{}}`, true, 0, "", ""},
		{"missing access token", 200, "application/json", `{"token_type":"Bearer"}`, false, KindTransient, "", "not a valid response"},
		{"truncated json", 200, "application/json", `{"access_token":"AT","expi`, false, KindTransient, "", "not a valid response"},
		{"html 200", 200, "text/html", `<html><body>Sign in to the Wi-Fi</body></html>`, false, KindTransient, "", "HTML page"},
		{"html without content type", 502, "", `  <!DOCTYPE html><p>Bad gateway</p>`, false, KindTransient, "", "HTML page"},
		{"503 json", 503, "application/json", `{"error":"temporarily_unavailable"}`, false, KindTransient, "temporarily_unavailable", "HTTP 503"},
		{"429", 429, "text/plain", `slow down`, false, KindTransient, "", "HTTP 429"},
		{"invalid_grant expired", 400, "application/json", `{"error":"invalid_grant","error_description":"expired_client_token"}`, false, KindRelogin, "invalid_grant", "log in again"},
		{"invalid_grant bare", 400, "application/json", `{"error":"invalid_grant"}`, false, KindRelogin, "invalid_grant", "log in again"},
		{"unauthorized_client description", 400, "application/json", `{"error":"invalid_grant","error_description":"unauthorized_client"}`, false, KindMisconfigured, "invalid_grant", "integration key"},
		{"invalid_client", 401, "application/json", `{"error":"invalid_client"}`, false, KindMisconfigured, "invalid_client", "client secret"},
		{"invalid_request", 400, "application/json", `{"error":"invalid_request"}`, false, KindOther, "invalid_request", "refused"},
		{"200 with error field", 200, "application/json", `{"error":"invalid_grant"}`, false, KindRelogin, "invalid_grant", ""},
		{"error not a string", 400, "application/json", `{"error":42}`, false, KindOther, "", "refused"},
		{"negative expires_in", 200, "application/json", `{"access_token":"AT","expires_in":-5}`, false, KindTransient, "", "not a valid"},
		{"access token not a string", 200, "application/json", `{"access_token":7}`, false, KindTransient, "", "not a valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, bad := parseTokenResponse(tt.status, tt.ctype, []byte(tt.body))
			if tt.wantOK {
				if bad != nil || tr == nil || tr.AccessToken != "AT" || tr.ExpiresIn != 28800 && strings.Contains(tt.body, "expires_in") {
					t.Fatalf("want success with expires_in 28800, got %+v %v", tr, bad)
				}
				// x/oauth2 reads the canonical body: expires_in is always an integer.
				if c := string(tr.canonical()); strings.Contains(tt.body, "expires_in") && !strings.Contains(c, `"expires_in":28800}`) && !strings.Contains(c, `"expires_in":28800,`) {
					t.Fatalf("canonical body %s", c)
				}
				return
			}
			if bad == nil {
				t.Fatal("want failure, got success")
			}
			e := call{op: "refresh", env: Demo}.reply(bad)
			if e.Kind != tt.wantKind || e.Code != tt.wantCode {
				t.Errorf("kind=%v code=%q, want %v %q", e.Kind, e.Code, tt.wantKind, tt.wantCode)
			}
			if !strings.Contains(e.Error(), tt.wantInMsg) {
				t.Errorf("message %q lacks %q", e.Error(), tt.wantInMsg)
			}
			for _, secret := range []string{`"AT"`, "AT\"", "Sign in to the Wi-Fi"} {
				if strings.Contains(e.Error(), secret) {
					t.Errorf("message %q repeats body content %q", e.Error(), secret)
				}
			}
		})
	}
}

func TestClassifyExchangeInvalidGrantIsNotRelogin(t *testing.T) {
	_, bad := parseTokenResponse(400, "application/json", []byte(`{"error":"invalid_grant","error_description":"expired_client_token"}`))
	e := call{op: "exchange", env: Demo}.reply(bad)
	if e.Kind != KindLogin || !strings.Contains(e.Msg, "code was rejected") {
		t.Fatalf("got %v %q", e.Kind, e.Msg)
	}
}

func FuzzParseTokenResponse(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"access_token":"a","refresh_token":"r","expires_in":28800,"scope":"signature"}`))
	f.Add(200, "application/json", []byte(`{"access_token":"a","expires_in":"28800"}`))
	f.Add(400, "application/json", []byte(`{"error":"invalid_grant","error_description":"expired_client_token"}`))
	f.Add(503, "text/html", []byte(`<html>down</html>`))
	f.Add(200, "", []byte(`{"access_token":"a","expires_in":1e300}`))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		tr, bad := parseTokenResponse(status, ctype, body)
		if (tr == nil) == (bad == nil) {
			t.Fatalf("exactly one of result and failure must be set: %v %v", tr, bad)
		}
		if tr != nil && (tr.AccessToken == "" || tr.ExpiresIn < 0 || status < 200 || status > 299) {
			t.Fatalf("accepted an unusable response: %+v", tr)
		}
		if bad != nil {
			e := call{op: "refresh", env: Demo}.reply(bad)
			if e.Msg == "" || len(e.Error()) > 1000 {
				t.Fatalf("bad message for %v: %q", bad, e.Error())
			}
		}
	})
}
