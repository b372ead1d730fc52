package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/internal/testnet"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
	"github.com/tokendesk/tokendesk/storage"
)

// harness runs CLI commands in-process against a real sandbox over
// loopback, a real config dir and in-memory secrets. Each command opens a
// fresh Manager, as a new process would.
type harness struct {
	t      *testing.T
	srv    *sandbox.Server
	dir    string
	sec    *storage.MemorySecrets
	port   int
	stdin  string
	browse func(u string) error // the "system browser"; visits the URL by default
}

type cliResult struct {
	code           int
	stdout, stderr string
}

func newHarness(t *testing.T, o sandbox.Options) *harness {
	t.Helper()
	port := testnet.FreePort(t)
	o.RedirectURIs = []string{oauth.RedirectURI(port)}
	srv, err := sandbox.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	h := &harness{t: t, srv: srv, dir: t.TempDir(), sec: storage.NewMemorySecrets(), port: port}
	h.browse = visit
	return h
}

// visit acts as a browser on an auto-accepting sandbox: it follows the
// redirects from the consent URL to the loopback callback.
func visit(u string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

func (h *harness) manager() (*desk.Manager, error) {
	return desk.NewManager(desk.Options{Store: storage.Open(h.dir), Secrets: h.sec}), nil
}

func (h *harness) run(args ...string) cliResult {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(h.stdin), Stdout: &out, Stderr: &errb,
		OpenBrowser: func(u string) error { return h.browse(u) }, Manager: h.manager}
	code := Run(ctx, args, env)
	return cliResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// addProfile adds a profile named name for the sandbox.
func (h *harness) addProfile(name string, extra ...string) {
	h.t.Helper()
	args := append([]string{"profile", "add", name, "--integration-key", h.srv.IntegrationKey(), "--env", h.srv.URL(),
		"--ports", strconv.Itoa(h.port)}, extra...)
	if r := h.run(args...); r.code != 0 {
		h.t.Fatalf("profile add: %+v", r)
	}
}

// login logs profile name in and fails the test unless it worked.
func (h *harness) login(name string) cliResult {
	h.t.Helper()
	r := h.run("login", "-p", name)
	if r.code != 0 {
		h.t.Fatalf("login: %+v", r)
	}
	return r
}

func (h *harness) storedAccess(name string) string {
	v, _ := h.sec.Get(name, storage.KeyAccessToken)
	return v
}
