package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/internal/testbrowser"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

func TestCLILoginTokenRefreshRotates(t *testing.T) {
	d := newDesk(t, sandbox.Options{AutoAccept: true, AccessTTL: 3 * time.Second})
	d.addProfile()
	if r := d.run("token"); r.code != 4 || !strings.Contains(r.stderr, "not logged in") || r.stdout != "" {
		t.Fatalf("token before login: %+v", r)
	}
	d.login()
	_, rt0 := d.secrets()
	r := d.run("token", "--min-valid", "1s")
	tok0 := strings.TrimSpace(r.stdout)
	if r.code != 0 || tok0 == "" || strings.Count(r.stdout, "\n") != 1 || r.stderr != "" {
		t.Fatalf("token: %+v", r)
	}
	time.Sleep(3500 * time.Millisecond) // the access token expires
	before := d.srv.Stats().Refreshes
	r = d.run("token", "--min-valid", "1s")
	tok1 := strings.TrimSpace(r.stdout)
	if r.code != 0 || tok1 == tok0 || tok1 == "" {
		t.Fatalf("token after expiry: %+v", r)
	}
	if got := d.srv.Stats().Refreshes - before; got != 1 {
		t.Fatalf("%d refreshes, want 1", got)
	}
	_, rt1 := d.secrets()
	if rt1 == rt0 || d.srv.RefreshTokenValid(rt0) || !d.srv.RefreshTokenValid(rt1) {
		t.Fatal("the refresh token did not rotate, or the old one is still accepted")
	}
	var st map[string]any
	r = d.run("status", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || r.code != 0 {
		t.Fatalf("status --json: %v %+v", err, r)
	}
	for _, k := range []string{"profile", "environment", "state", "scopes", "extended", "access_token_expires_at",
		"refresh_token_issued_at", "refresh_token_expires_at", "refresh_token_expiry_source", "consented_at", "user"} {
		if _, ok := st[k]; !ok {
			t.Errorf("status --json lacks %q", k)
		}
	}
	if st["extended"] != true || st["state"] != "valid" || st["refresh_token_expiry_source"] != "token" {
		t.Errorf("status after the signature-only refresh: extended=%v state=%v", st["extended"], st["state"])
	}
	if u, _ := st["user"].(map[string]any); u["email"] == "" {
		t.Errorf("user: %v", st["user"])
	}
	for _, k := range []string{"access_token_expires_at", "refresh_token_expires_at", "consented_at"} {
		if s, _ := st[k].(string); !strings.HasSuffix(s, "Z") {
			t.Errorf("%s=%v is not RFC 3339 UTC", k, st[k])
		}
	}
	d.scanForSecrets(tok0, tok1, rt0, rt1)
}

// TestCLITwentyProcessesOneRefresh starts 20 token processes on an expired
// access token: the sandbox must see exactly one refresh, and all 20 print
// the same new token.
func TestCLITwentyProcessesOneRefresh(t *testing.T) {
	d := newDesk(t, sandbox.Options{AutoAccept: true, AccessTTL: 2 * time.Second})
	d.addProfile()
	d.login()
	time.Sleep(2500 * time.Millisecond)
	before := d.srv.Stats()
	var wg sync.WaitGroup
	results := make([]result, 20)
	start := make(chan struct{})
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = d.run("token", "--min-valid", "1s")
		}()
	}
	close(start)
	wg.Wait()
	after := d.srv.Stats()
	for i, r := range results {
		if r.code != 0 || strings.TrimSpace(r.stdout) != strings.TrimSpace(results[0].stdout) {
			t.Fatalf("process %d: exit %d, stderr %q", i, r.code, r.stderr)
		}
	}
	if n := after.Refreshes - before.Refreshes; n != 1 || after.RefreshRejected != before.RefreshRejected {
		t.Fatalf("sandbox saw %d refreshes and %d rejections, want exactly 1 and 0", n, after.RefreshRejected-before.RefreshRejected)
	}
}

// TestCLIKilledDuringRefresh kills `tokendesk refresh` at random moments and
// checks that the stored refresh token is still accepted, except when the
// kill fell between the server's rotation and the local write. It reports
// how often that window was hit.
func TestCLIKilledDuringRefresh(t *testing.T) {
	var logMu sync.Mutex
	var lastToken time.Time
	d := newDesk(t, sandbox.Options{AutoAccept: true, Logf: func(format string, args ...any) {
		if strings.Contains(fmt.Sprintf(format, args...), "/oauth/token") {
			logMu.Lock()
			lastToken = time.Now()
			logMu.Unlock()
		}
	}})
	d.addProfile()
	d.login()
	// The loss window: from the server's rotation to the end of the local
	// write (the activity entry is appended right after the keyring and
	// config writes). Measured on uninterrupted refreshes.
	var windows, totals []time.Duration
	for range 5 {
		start := time.Now()
		if r := d.run("refresh"); r.code != 0 {
			t.Fatalf("refresh: %+v", r)
		}
		totals = append(totals, time.Since(start))
		logMu.Lock()
		rotated := lastToken
		logMu.Unlock()
		acts, err := os.ReadFile(d.dir + "/activity/p.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(acts)), "\n")
		var last struct {
			Time time.Time `json:"time"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
			t.Fatal(err)
		}
		windows = append(windows, last.Time.Sub(rotated))
	}
	slices.Sort(windows)
	slices.Sort(totals)
	t.Logf("loss window (server rotation → rotated token durably stored): min %s, median %s, max %s; whole `tokendesk refresh` process: median %s",
		windows[0], windows[2], windows[4], totals[2])
	const rounds = 40
	var hits, killedBefore, completed int
	var hitDelays []time.Duration
	for i := range rounds {
		delay := time.Duration(rand.Int64N(int64(totals[2]))) // uniform over a whole refresh
		before := d.srv.Stats().Refreshes
		c := d.cmd(context.Background(), "refresh")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = c.Process.Signal(syscall.SIGKILL)
		err := c.Wait()
		// A request the killed process sent may still be in the server's
		// hands: judge only once the server's counters have settled.
		rotated := settledStats(d.srv).Refreshes > before
		_, rt := d.secrets()
		switch {
		case d.srv.RefreshTokenValid(rt):
			if err == nil {
				completed++
			} else if !rotated {
				killedBefore++
			} else {
				completed++ // killed after the write
			}
		case rotated:
			hits++
			hitDelays = append(hitDelays, delay)
			d.login() // the session is lost: start over
		default:
			t.Fatalf("round %d: the stored refresh token is rejected although the server never rotated it", i)
		}
	}
	t.Logf("kill during refresh: %d rounds, %d finished or killed after the write, %d killed before the request, %d in the window between rotation and local write (kill delays %v)",
		rounds, completed, killedBefore, hits, hitDelays)
	if hits > rounds/2 {
		t.Fatalf("the loss window was hit %d/%d times: the write after rotation is too slow", hits, rounds)
	}
}

// settledStats returns the sandbox's counters once they stopped changing
// (three equal reads 20 ms apart, at most a second): a killed client's
// request may still be handled after the client is gone.
func settledStats(srv *sandbox.Server) sandbox.Stats {
	last := srv.Stats()
	for same, deadline := 0, time.Now().Add(time.Second); same < 3 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		if cur := srv.Stats(); cur == last {
			same++
		} else {
			last, same = cur, 0
		}
	}
	return last
}

func TestCLIRevokedConsentExits4(t *testing.T) {
	d := newDesk(t, sandbox.Options{AutoAccept: true, AccessTTL: 2 * time.Second})
	d.addProfile()
	d.login()
	d.srv.RevokeConsent()
	time.Sleep(2500 * time.Millisecond)
	r := d.run("token")
	if r.code != 4 || r.stdout != "" || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "log in again") {
		t.Fatalf("token after revoke: %+v", r)
	}
	r = d.run("status")
	if r.code != 4 || !strings.Contains(r.stdout, "relogin required") {
		t.Fatalf("status after revoke: %+v", r)
	}
	r = d.run("status", "--json")
	if !strings.Contains(r.stdout, `"state": "relogin_required"`) {
		t.Fatalf("status --json: %s", r.stdout)
	}
	if before := d.srv.Stats().RefreshRejected; d.run("token").code != 4 || d.srv.Stats().RefreshRejected != before {
		t.Fatal("a dead refresh token was sent again")
	}
}

func TestCLIServerTroubleRetriesAndRecovers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault sandbox.Fault
		want  string
	}{
		{"503", sandbox.ServerErrorFault(503), "HTTP 503"},
		{"html", sandbox.HTMLFault(200), "HTML page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDesk(t, sandbox.Options{AutoAccept: true, AccessTTL: 2 * time.Second})
			d.addProfile()
			d.login()
			_, rt := d.secrets()
			time.Sleep(2500 * time.Millisecond)
			tc.fault.Path = "/oauth/token"
			d.srv.InjectFault(tc.fault, 1)
			r := d.run("token")
			if r.code != 1 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "try again shortly") {
				t.Fatalf("token during trouble: %+v", r)
			}
			if _, now := d.secrets(); now != rt || !d.srv.RefreshTokenValid(rt) {
				t.Fatal("the failure touched the stored session")
			}
			if r := d.run("token"); r.code != 0 || strings.TrimSpace(r.stdout) == "" {
				t.Fatalf("after recovery: %+v", r)
			}
		})
	}
}

func TestCLINonExtendedHardStop(t *testing.T) {
	d := newDesk(t, sandbox.Options{AutoAccept: true, AccessTTL: time.Second, RefreshTTL: 4 * time.Second})
	d.addProfile("--scopes", "signature", "--refresh-lifetime", "4s")
	d.login()
	if r := d.run("status"); !strings.Contains(r.stdout, "NO —") {
		t.Fatalf("status does not warn about the missing extended scope: %s", r.stdout)
	}
	time.Sleep(1500 * time.Millisecond)
	if r := d.run("token"); r.code != 0 {
		t.Fatalf("refresh within the lifetime: %+v", r)
	}
	time.Sleep(3 * time.Second) // past consent + 4s, though refreshed meanwhile
	r := d.run("status", "--json")
	if r.code != 4 || !strings.Contains(r.stdout, `"state": "relogin_required"`) {
		t.Fatalf("status after the hard stop: %+v", r)
	}
	if r := d.run("token"); r.code != 4 {
		t.Fatalf("token after the hard stop: %+v", r)
	}
}

func TestCLIKeyringUnavailable(t *testing.T) {
	d := newDesk(t, sandbox.Options{AutoAccept: true})
	d.addProfile()
	d.login()
	acc, rt := d.secrets()
	d.extraEnv = []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=" + t.TempDir() + "/no-bus"}
	for _, args := range [][]string{{"token"}, {"status"}, {"refresh"}} {
		r := d.run(args...)
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "keyring") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Fatalf("%v with no keyring: %+v", args, r)
		}
	}
	d.extraEnv = nil
	if !d.srv.RefreshTokenValid(rt) {
		t.Fatal("the session was damaged")
	}
	d.scanForSecrets(acc, rt)
}

// TestCLIKeyringLocked locks the login collection of a private Secret
// Service in its own session, so other tests are not disturbed.
func TestCLIKeyringLocked(t *testing.T) {
	requireRealKeyring(t)
	if os.Getenv("TOKENDESK_LOCKED_CHILD") == "1" {
		d := newDesk(t, sandbox.Options{AutoAccept: true})
		d.addProfile()
		d.login()
		acc, rt := d.secrets()
		out, err := exec.Command("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
			"/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
			"array:objpath:/org/freedesktop/secrets/collection/login").CombinedOutput()
		if err != nil {
			t.Fatalf("lock: %v %s", err, out)
		}
		r := d.run("token")
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "unlock") {
			t.Fatalf("token with a locked keyring: %+v", r)
		}
		d.scanForSecrets(acc, rt)
		return
	}
	cmd := exec.Command("sh", "storage/testdata/with-keyring.sh", os.Args[0], "-test.run", "^TestCLIKeyringLocked$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TOKENDESK_LOCKED_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("locked-keyring child: %v\n%s", err, out)
	}
}

func TestCLIUsageAndProfiles(t *testing.T) {
	d := newDesk(t, sandbox.Options{AutoAccept: true})
	if r := d.run("frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
		t.Fatalf("unknown command: %+v", r)
	}
	if r := d.run("profile", "add", "x", "--integration-key", "not-a-guid"); r.code != 1 || !strings.Contains(r.stderr, "integration") {
		t.Fatalf("bad key: %+v", r)
	}
	d.addProfile()
	sec := "client-secret-from-stdin-42"
	c := d.cmd(context.Background(), "profile", "add", "q", "--integration-key", d.srv.IntegrationKey(), "--env", "production", "--secret-stdin")
	c.Stdin = strings.NewReader(sec + "\n")
	out, err := c.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "confidential") {
		t.Fatalf("profile add --secret-stdin: %v %s", err, out)
	}
	d.outputs = append(d.outputs, string(out))
	r := d.run("profile", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "PRODUCTION") || !strings.Contains(r.stdout, "confidential") {
		t.Fatalf("profile list: %+v", r)
	}
	if r := d.run("token"); r.code != 1 || !strings.Contains(r.stderr, "-p NAME") {
		t.Fatalf("ambiguous profile: %+v", r)
	}
	if r := d.run("profile", "remove", "q"); r.code != 0 {
		t.Fatalf("remove: %+v", r)
	}
	d.scanForSecrets(sec)
}

// TestCLIExecForwardsSignals: exec hands the token and the default account
// to the command through its environment, passes a SIGTERM sent to
// tokendesk on to it, and exits with the command's code.
func TestCLIExecForwardsSignals(t *testing.T) {
	d := newDesk(t, sandbox.Options{AutoAccept: true})
	d.addProfile()
	d.login()
	acc, rt := d.secrets()
	script := `trap 'echo got-term; exit 42' TERM
[ "$DOCUSIGN_ACCESS_TOKEN" = "$1" ] && [ -n "$DOCUSIGN_ACCOUNT_ID" ] && [ -n "$DOCUSIGN_BASE_URI" ] && echo env-ok
echo ready
while :; do sleep 0.05; done`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The expected token goes to the script through a file, never argv.
	want := t.TempDir() + "/want"
	if err := os.WriteFile(want, []byte(acc), 0o600); err != nil {
		t.Fatal(err)
	}
	c := d.cmd(ctx, "exec", "--", "sh", "-c", `set -- "$(cat `+want+`)"; `+script)
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb strings.Builder
	c.Stderr = &errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	var got string
	for !strings.Contains(got, "ready") {
		n, err := out.Read(buf)
		got += string(buf[:n])
		if err != nil {
			t.Fatalf("exec ended before the command was ready: %v; stdout %q stderr %q", err, got, errb.String())
		}
	}
	if err := c.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(out)
	got += string(rest)
	err = c.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 42 || !strings.Contains(got, "env-ok") || !strings.Contains(got, "got-term") {
		t.Fatalf("exec: exit %d (%v), stdout %q, stderr %q", code, err, got, errb.String())
	}
	d.outputs = append(d.outputs, got, errb.String())
	d.scanForSecrets(acc, rt)
}

// TestCLIScriptCommands drives token --format, accounts and the usage
// errors of extra arguments through the real binary and keyring.
func TestCLIScriptCommands(t *testing.T) {
	d := newDesk(t, sandbox.Options{AutoAccept: true})
	d.addProfile()
	if r := d.run("token", "-p", "p", "extra"); r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, `"extra"`) {
		t.Fatalf("token with an extra argument: %+v", r)
	}
	d.login()
	acc, rt := d.secrets()
	r := d.run("token", "--format", "json")
	var tok map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &tok); err != nil || r.code != 0 || tok["access_token"] != acc || tok["profile"] != "p" {
		t.Fatalf("token --format json: %v %+v", err, r)
	}
	r = d.run("accounts", "--json")
	var accts []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &accts); err != nil || r.code != 0 || len(accts) == 0 {
		t.Fatalf("accounts --json: %v %+v", err, r)
	}
	defaults := 0
	for _, a := range accts {
		if a["default"] == true {
			defaults++
			if a["account_id"] != tok["account_id"] || a["base_uri"] != tok["base_uri"] {
				t.Errorf("the default account %v is not the token's %v", a, tok)
			}
		}
	}
	if defaults != 1 {
		t.Errorf("%d default accounts: %s", defaults, r.stdout)
	}
	d.scanForSecrets(acc, rt)
}

// TestCLILoginWithBlockingLauncher: a browser launcher that never exits (a
// browser started in the foreground) must not stall `tokendesk login`.
func TestCLILoginWithBlockingLauncher(t *testing.T) {
	d := newDesk(t, sandbox.Options{AutoAccept: true})
	d.addProfile()
	bin := t.TempDir()
	urlFile, pidFile := filepath.Join(bin, "url"), filepath.Join(bin, "pid")
	shim := "#!/bin/sh\necho $$ > " + pidFile + "\nprintf '%s' \"$1\" > " + urlFile + ".tmp && mv " + urlFile + ".tmp " + urlFile + "\nexec sleep 600\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := d.cmd(ctx, "login")
	c.Env = append(c.Env, "PATH="+bin+":"+os.Getenv("PATH"))
	// Files, not pipes: the launcher inherits stderr and keeps it open, and
	// Wait would wait for it to close rather than for tokendesk to exit.
	outF, err := os.Create(filepath.Join(bin, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer outF.Close()
	errF, err := os.Create(filepath.Join(bin, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errF.Close()
	c.Stdout, c.Stderr = outF, errF
	out := func() string { b, _ := os.ReadFile(outF.Name()); return string(b) }
	errb := func() string { b, _ := os.ReadFile(errF.Name()); return string(b) }
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	var u []byte
	for i := 0; i < 200 && len(u) == 0; i++ {
		time.Sleep(50 * time.Millisecond)
		u, _ = os.ReadFile(urlFile)
	}
	if len(u) == 0 {
		_ = c.Process.Kill()
		t.Fatalf("the launcher was never called; stderr: %s", errb())
	}
	if _, err := testbrowser.Visit(ctx, string(u), testbrowser.Accept); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(out(), "Logged in as") {
			t.Fatalf("login: %v, stdout %q, stderr %q", err, out(), errb())
		}
	case <-time.After(15 * time.Second):
		_ = c.Process.Kill()
		t.Fatalf("login still waits for the launcher 15 s after the consent; stderr %q", errb())
	}
	d.outputs = append(d.outputs, out(), errb())
}
