package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/internal/testbrowser"
	"github.com/tokendesk/tokendesk/storage"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// tokendeskBinary builds the real tokendesk binary once per test run.
func tokendeskBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "tokendesk-conformance-")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, "tokendesk"), ".")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build tokendesk: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "tokendesk")
}

// desk is one Token Desk installation: its own config directory (which also
// gives its keyring entries their own namespace) and one profile "p" on the
// conformance server.
type desk struct {
	t       *testing.T
	srv     *authServer
	bin     string
	dir     string
	outputs []string // everything printed except token's stdout, for the leak scan
}

type result struct {
	code           int
	stdout, stderr string
}

func newDesk(t *testing.T, srv *authServer) *desk {
	t.Helper()
	d := &desk{t: t, srv: srv, bin: tokendeskBinary(t), dir: t.TempDir()}
	t.Cleanup(func() { d.run("logout") })
	return d
}

func (d *desk) cmd(ctx context.Context, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, d.bin, args...)
	c.Env = append(os.Environ(), "TOKENDESK_CONFIG_DIR="+d.dir, "LANGUAGE=en_US")
	return c
}

// runIn runs one tokendesk command to completion, with stdin as its input.
func (d *desk) runIn(stdin string, args ...string) result {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := d.cmd(ctx, args...)
	c.Stdin = strings.NewReader(stdin)
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

// run runs one tokendesk command to completion.
func (d *desk) run(args ...string) result { d.t.Helper(); return d.runIn("", args...) }

// addProfile adds profile p for the server's public client, or for its
// confidential client with the secret given on stdin.
func (d *desk) addProfile(confidential bool) {
	d.t.Helper()
	args := []string{"profile", "add", "p", "--env", d.srv.URL, "--ports", strconv.Itoa(d.srv.CallbackPort),
		"--scopes", "signature extended openid"}
	stdin := ""
	if confidential {
		args = append(args, "--integration-key", d.srv.ConfidentialID, "--secret-stdin")
		stdin = d.srv.ConfidentialPass + "\n"
	} else {
		args = append(args, "--integration-key", d.srv.PublicID)
	}
	if r := d.runIn(stdin, args...); r.code != 0 {
		d.t.Fatalf("profile add: %+v", r)
	}
}

// browser is how the consent URL is walked.
type browser int

const (
	// goClient follows the redirects with net/http and a cookie jar.
	goClient browser = iota
	// chromium opens the URL in real headless Chromium.
	chromium
)

// login runs `tokendesk login` with a PATH shim as the system browser. Once
// the shim has the consent URL, before (if not nil) runs, so a test can act
// while the login waits; then browser b walks the URL.
func (d *desk) login(b browser, before func(consentURL string)) result {
	d.t.Helper()
	shimDir := d.t.TempDir()
	urlFile := filepath.Join(shimDir, "url")
	shim := "#!/bin/sh\nprintf '%s' \"$1\" > " + urlFile + ".tmp && mv " + urlFile + ".tmp " + urlFile + "\n"
	if err := os.WriteFile(filepath.Join(shimDir, "xdg-open"), []byte(shim), 0o755); err != nil {
		d.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := d.cmd(ctx, "login")
	c.Env = append(c.Env, "PATH="+shimDir+":"+os.Getenv("PATH"))
	var out, errb syncBuffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Start(); err != nil {
		d.t.Fatal(err)
	}
	var u []byte
	for i := 0; i < 400 && len(u) == 0; i++ {
		time.Sleep(50 * time.Millisecond)
		u, _ = os.ReadFile(urlFile)
	}
	if len(u) == 0 {
		_ = c.Process.Kill()
		_ = c.Wait()
		d.t.Fatalf("the browser shim was never called; stderr: %s", errb.String())
	}
	if before != nil {
		before(string(u))
	}
	switch b {
	case chromium:
		br, err := testbrowser.StartChromium(ctx, testbrowser.FindChromium(d.t), string(u))
		if err != nil {
			d.t.Fatal(err)
		}
		defer br.Stop()
	default:
		if err := visit(ctx, string(u)); err != nil {
			d.t.Fatalf("walk the consent URL: %v", err)
		}
	}
	err := c.Wait()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		d.t.Fatalf("login: %v", err)
	}
	d.outputs = append(d.outputs, r.stdout, r.stderr)
	return r
}

// mustLogin logs in with the Go client and fails unless it worked.
func (d *desk) mustLogin() {
	d.t.Helper()
	if r := d.login(goClient, nil); r.code != 0 || !strings.Contains(r.stdout, "Conformance User") {
		d.t.Fatalf("login: %+v", r)
	}
}

// visit follows the consent URL through the server's login and consent to
// the loopback callback, keeping cookies like a browser.
func visit(ctx context.Context, u string) error {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	var uerr *url.Error
	if errors.As(err, &uerr) {
		// The URL may be the callback's, with the code and state in it.
		return fmt.Errorf("%s %s: %w", uerr.Op, redact(uerr.URL), uerr.Err)
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if !strings.HasSuffix(resp.Request.URL.Path, "/callback") {
		return fmt.Errorf("ended on %s (HTTP %d), not on the callback", redact(resp.Request.URL.String()), resp.StatusCode)
	}
	return nil
}

// redact drops the query of a URL, which may carry a code or state.
func redact(u string) string {
	base, _, _ := strings.Cut(u, "?")
	return base
}

// refreshToken returns the refresh token stored in the keyring.
func (d *desk) refreshToken() string {
	d.t.Helper()
	kr := storage.NewKeyring(storage.KeyringNamespace(d.dir), 0)
	rt, err := kr.Get("p", storage.KeyRefreshToken)
	if err != nil {
		d.t.Fatalf("read the stored refresh token: %v", err)
	}
	return rt
}

// scanForSecrets fails if a secret appears in a file under the config
// directory or in anything a process printed (except token's stdout).
func (d *desk) scanForSecrets(secrets ...string) {
	d.t.Helper()
	blobs := append([]string(nil), d.outputs...)
	_ = filepath.Walk(d.dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			blobs = append(blobs, string(b))
		}
		return nil
	})
	for _, s := range secrets {
		for _, b := range blobs {
			if len(s) >= 8 && strings.Contains(b, s) {
				d.t.Fatal("a secret leaked into a file or a process's output")
			}
		}
	}
}
