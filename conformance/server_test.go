package conformance

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/internal/testnet"
)

// required reports whether the test command demands the conformance run
// (scripts/test.sh sets TOKENDESK_REQUIRE_CONFORMANCE=1), so that missing
// prerequisites fail instead of skipping.
func required() bool { return os.Getenv("TOKENDESK_REQUIRE_CONFORMANCE") == "1" }

// missing skips the test, or fails it when the conformance run is required.
func missing(t *testing.T, what string) {
	t.Helper()
	if required() {
		t.Fatalf("%s, and TOKENDESK_REQUIRE_CONFORMANCE=1", what)
	}
	t.Skipf("%s (set TOKENDESK_REQUIRE_CONFORMANCE=1 to make this a failure)", what)
}

// nodeBinary returns the Node.js interpreter and checks that the pinned
// oidc-provider is installed and that a real Secret Service is running.
func nodeBinary(t *testing.T) string {
	t.Helper()
	var node string
	for _, name := range []string{"node", "nodejs"} {
		if p, err := exec.LookPath(name); err == nil {
			node = p
			break
		}
	}
	if node == "" {
		missing(t, "Node.js is not installed (scripts/deps.sh test installs Debian's nodejs)")
	}
	if _, err := os.Stat("node_modules/oidc-provider/package.json"); err != nil {
		missing(t, "oidc-provider is not installed: run `npm ci` in conformance/")
	}
	if os.Getenv("TOKENDESK_REAL_KEYRING") != "1" {
		missing(t, "no private Secret Service: run under scripts/with-session.sh")
	}
	return node
}

// serverOptions configure one oidc-provider instance.
type serverOptions struct {
	AccessTTL  time.Duration // default 1h; whole seconds
	RefreshTTL time.Duration // default 30 days; whole seconds
}

// authServer is a running conformance/server.mjs: the OAuth listener at
// URL and the /_test control listener.
type authServer struct {
	t                *testing.T
	URL              string
	control          string
	CallbackPort     int
	PublicID         string
	ConfidentialID   string
	ConfidentialPass string
	stderr           *syncBuffer
}

// startServer starts a fresh oidc-provider with a public and a confidential
// client whose redirect URI is http://127.0.0.1:CallbackPort/callback, and
// stops it when the test ends.
func startServer(t *testing.T, o serverOptions) *authServer {
	t.Helper()
	node := nodeBinary(t)
	if o.AccessTTL == 0 {
		o.AccessTTL = time.Hour
	}
	if o.RefreshTTL == 0 {
		o.RefreshTTL = 30 * 24 * time.Hour
	}
	s := &authServer{t: t, CallbackPort: testnet.FreePort(t), stderr: &syncBuffer{},
		PublicID: guid(), ConfidentialID: guid(), ConfidentialPass: randHex(20)}
	port := testnet.FreePort(t)
	cfg, _ := json.Marshal(map[string]any{
		"port": port, "accessTTL": int(o.AccessTTL / time.Second), "refreshTTL": int(o.RefreshTTL / time.Second),
		"publicClientId": s.PublicID, "confidentialClientId": s.ConfidentialID,
		"confidentialClientSecret": s.ConfidentialPass,
		"redirectURIs":             []string{fmt.Sprintf("http://127.0.0.1:%d/callback", s.CallbackPort)},
	})
	cmd := exec.Command(node, "server.mjs")
	cmd.Env = append(os.Environ(), "CONFORMANCE_CONFIG="+string(cfg))
	cmd.Stderr = s.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the conformance server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("conformance server stderr:\n%s", s.stderr.String())
		}
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case line := <-ready:
		var p, c int
		var version string
		if _, err := fmt.Sscanf(line, "READY %d %d %s", &p, &c, &version); err != nil {
			t.Fatalf("the conformance server did not start (%q): %s", line, s.stderr.String())
		}
		t.Logf("oidc-provider on Node.js %s", version)
		s.URL = fmt.Sprintf("http://127.0.0.1:%d", p)
		s.control = fmt.Sprintf("http://127.0.0.1:%d", c)
	case <-time.After(30 * time.Second):
		t.Fatalf("the conformance server did not start within 30s: %s", s.stderr.String())
	}
	return s
}

// stats are the server's counts of token-endpoint traffic.
type stats struct {
	TokenRequests int            `json:"token_requests"`
	CodeExchanges int            `json:"code_exchanges"`
	Refreshes     int            `json:"refreshes"`
	RefreshErrors int            `json:"refresh_errors"`
	ReuseDetected int            `json:"reuse_detected"`
	ByClient      map[string]int `json:"by_client"`
}

// call posts body to a control route and decodes the answer into out.
func (s *authServer) call(route string, body, out any) {
	s.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(s.control+"/_test/"+route, "application/json", bytes.NewReader(b))
	if err != nil {
		s.t.Fatalf("control %s: %v", route, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		msg, _ := io.ReadAll(resp.Body)
		s.t.Fatalf("control %s: HTTP %d %s", route, resp.StatusCode, msg)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			s.t.Fatalf("control %s: %v", route, err)
		}
	}
}

// Stats returns the server's counts.
func (s *authServer) Stats() stats {
	var st stats
	s.call("stats", nil, &st)
	return st
}

// RevokeAll revokes every grant and its tokens, as an admin revoking the
// app's consent would.
func (s *authServer) RevokeAll() { s.call("revoke", nil, nil) }

// Fault makes the next count token-endpoint requests misbehave: kind "503"
// answers 503, "float" writes expires_in as 28800.0-style float, "hold"
// delays the answer by ms after the server has acted.
func (s *authServer) Fault(kind string, count, ms int) {
	s.call("fault", map[string]any{"kind": kind, "count": count, "ms": ms}, nil)
}

// Down closes the OAuth listener (connections are refused); Up reopens it
// on the same port. The server's state survives.
func (s *authServer) Down() { s.call("down", nil, nil) }

// Up reopens the OAuth listener.
func (s *authServer) Up() { s.call("up", nil, nil) }

// RefreshTokenValid asks the server whether rt would be accepted now.
func (s *authServer) RefreshTokenValid(rt string) bool {
	var v struct {
		Valid bool `json:"valid"`
	}
	s.call("refresh-token-valid", map[string]string{"refresh_token": rt}, &v)
	return v.Valid
}

// ReplayRefresh sends rt to the token endpoint as the public client would,
// the way a second copy of an old refresh token would be used, and returns
// the HTTP status and the OAuth error code.
func (s *authServer) ReplayRefresh(rt string) (int, string) {
	s.t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {s.PublicID}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("replay the refresh token: %v", err)
	}
	defer resp.Body.Close()
	var e struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.Error
}

func guid() string {
	h := randHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
