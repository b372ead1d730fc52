package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/internal/testbrowser"
	"github.com/tokendesk/tokendesk/internal/testnet"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
	"github.com/tokendesk/tokendesk/storage"
)

// TestMain lets the test binary act as the tokendesk binary: the
// process-level tests re-execute it with TOKENDESK_BE_MAIN=1, so they drive
// the real main() in separate processes without a nested go build.
func TestMain(m *testing.M) {
	if os.Getenv("TOKENDESK_BE_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// requireRealKeyring skips unless the test command started a private Secret
// Service (scripts/with-session.sh sets TOKENDESK_REAL_KEYRING=1).
func requireRealKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("TOKENDESK_REAL_KEYRING") != "1" {
		t.Skip("needs a real Secret Service: run under scripts/with-session.sh (TOKENDESK_REAL_KEYRING=1)")
	}
}

// desk is one isolated Token Desk installation: its own config dir (which
// also namespaces its keyring entries) and a sandbox server.
type deskEnv struct {
	t        *testing.T
	dir      string
	srv      *sandbox.Server
	port     int
	outputs  []string // everything the processes printed, for the leak scan
	extraEnv []string
}

func newDesk(t *testing.T, o sandbox.Options) *deskEnv {
	t.Helper()
	requireRealKeyring(t)
	port := testnet.FreePort(t)
	o.RedirectURIs = []string{oauth.RedirectURI(port)}
	srv, err := sandbox.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	d := &deskEnv{t: t, dir: t.TempDir(), srv: srv, port: port}
	t.Cleanup(func() { d.run("logout") })
	return d
}

type result struct {
	code           int
	stdout, stderr string
}

func (d *deskEnv) cmd(ctx context.Context, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, os.Args[0], args...)
	c.Env = append(os.Environ(), "TOKENDESK_BE_MAIN=1", "TOKENDESK_CONFIG_DIR="+d.dir)
	c.Env = append(c.Env, d.extraEnv...)
	return c
}

// run runs one tokendesk command to completion.
func (d *deskEnv) run(args ...string) result {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := d.cmd(ctx, args...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		d.t.Fatalf("run %v: %v", args, err)
	}
	if args[0] != "token" {
		d.outputs = append(d.outputs, r.stdout)
	}
	d.outputs = append(d.outputs, r.stderr)
	return r
}

// addProfile adds profile p for the sandbox.
func (d *deskEnv) addProfile(extra ...string) {
	d.t.Helper()
	args := append([]string{"profile", "add", "p", "--integration-key", d.srv.IntegrationKey(), "--env", d.srv.URL(),
		"--ports", itoa(d.port)}, extra...)
	if r := d.run(args...); r.code != 0 {
		d.t.Fatalf("profile add: %d %s", r.code, r.stderr)
	}
}

// login runs `tokendesk login` with a PATH shim as the system browser: the
// shim hands the URL to the programmatic browser, as xdg-open would to a
// real one.
func (d *deskEnv) login() {
	d.t.Helper()
	bin := d.t.TempDir()
	urlFile := filepath.Join(bin, "url")
	shim := "#!/bin/sh\nprintf '%s' \"$1\" > " + urlFile + ".tmp && mv " + urlFile + ".tmp " + urlFile + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(shim), 0o755); err != nil {
		d.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := d.cmd(ctx, "login")
	c.Env = append(c.Env, "PATH="+bin+":"+os.Getenv("PATH"))
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Start(); err != nil {
		d.t.Fatal(err)
	}
	var u []byte
	for i := 0; i < 200 && len(u) == 0; i++ {
		time.Sleep(50 * time.Millisecond)
		u, _ = os.ReadFile(urlFile)
	}
	if len(u) == 0 {
		c.Process.Kill()
		d.t.Fatalf("the browser shim was never called; stderr: %s", errb.String())
	}
	if _, err := testbrowser.Visit(ctx, string(u), testbrowser.Accept); err != nil {
		d.t.Fatal(err)
	}
	if err := c.Wait(); err != nil {
		d.t.Fatalf("login: %v: %s", err, errb.String())
	}
	d.outputs = append(d.outputs, out.String(), errb.String())
	if !strings.Contains(out.String(), "Logged in as") {
		d.t.Fatalf("login output: %q", out.String())
	}
}

// secrets returns the stored tokens of profile p, read from the keyring.
func (d *deskEnv) secrets() (access, refresh string) {
	d.t.Helper()
	kr := storage.NewKeyring(storage.KeyringNamespace(d.dir), 0)
	access, _ = kr.Get("p", storage.KeyAccessToken)
	refresh, err := kr.Get("p", storage.KeyRefreshToken)
	if err != nil {
		d.t.Fatalf("read the stored refresh token: %v", err)
	}
	return access, refresh
}

// scanForSecrets fails if any of the secrets appears in a file under the
// config dir or in anything a process printed (except token's stdout).
func (d *deskEnv) scanForSecrets(secrets ...string) {
	d.t.Helper()
	var blobs []string
	_ = filepath.Walk(d.dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			blobs = append(blobs, p+"\x00"+string(b))
		}
		return nil
	})
	blobs = append(blobs, d.outputs...)
	for _, s := range secrets {
		if len(s) < 8 {
			continue
		}
		for _, b := range blobs {
			if strings.Contains(b, s) {
				name, _, _ := strings.Cut(b, "\x00")
				d.t.Fatalf("a secret leaked into %.80q", name)
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
