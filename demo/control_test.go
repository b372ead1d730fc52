package demo

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tokenStatus posts an (invalid) refresh to the sandbox and returns the
// HTTP status: 503 while an outage lasts, 4xx otherwise.
func tokenStatus(t *testing.T, d *Demo) int {
	t.Helper()
	resp, err := http.PostForm(d.Sandbox.URL()+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRunCommand(t *testing.T) {
	d, err := Start(context.Background(), Options{AutoAccept: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, tc := range []struct {
		line string
		err  string
	}{
		{"", ""},
		{"revoke", ""},
		{"outage two", "give a positive number"},
		{"outage 0", "give a positive number"},
		{"explode", `unknown demo control command "explode"`},
	} {
		err := runCommand(d.Sandbox, tc.line)
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q: err = %v, want %q", tc.line, err, tc.err)
		}
	}
}

// TestControlFile: commands written to the control file make the sandbox
// fail token requests on demand, for the smoke test's retrying state.
func TestControlFile(t *testing.T) {
	ctl := filepath.Join(t.TempDir(), "control")
	d, err := Start(context.Background(), Options{AutoAccept: true, Control: ctl})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := tokenStatus(t, d); got == http.StatusServiceUnavailable {
		t.Fatal("503 before any outage")
	}
	if err := os.WriteFile(ctl, []byte("outage 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(ctl); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the control file was never read")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, want := range []int{503, 503, 0} {
		got := tokenStatus(t, d)
		if (want == 503) != (got == http.StatusServiceUnavailable) {
			t.Errorf("request %d after \"outage 2\": status %d", i+1, got)
		}
	}
}
