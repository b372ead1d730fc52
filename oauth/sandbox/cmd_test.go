package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

// syncBuffer is a bytes.Buffer safe for one writer and a polling reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listeningPattern = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

func TestRunCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"public defaults", []string{"--addr", "127.0.0.1:0"}, []string{
			"integration key: " + sandbox.DefaultIntegrationKey, "none (public client, PKCE)",
			sandbox.DefaultRedirectURIs[0], sandbox.DefaultRedirectURIs[2],
			"tokendesk profile add sandbox --integration-key " + sandbox.DefaultIntegrationKey + " --env http://127.0.0.1:",
		}},
		{"confidential custom", []string{"--addr", "127.0.0.1:0", "--integration-key", "k-1", "--secret", "sss",
			"--redirect-uri", "http://127.0.0.1:9001/cb", "--redirect-uri", "http://127.0.0.1:9002/cb", "--auto-accept",
			"--access-ttl", "1h", "--refresh-ttl", "48h"}, []string{
			"integration key: k-1", "secret:          sss", "http://127.0.0.1:9001/cb", "http://127.0.0.1:9002/cb",
			"auto-accept", "access 1 hour, refresh 2 days", "--integration-key k-1",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stdout, stderr syncBuffer
			done := make(chan error, 1)
			go func() { done <- sandbox.RunCommand(ctx, tt.args, &stdout, &stderr) }()

			var base string
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if m := listeningPattern.FindStringSubmatch(stdout.String()); m != nil && strings.Contains(stdout.String(), "Stop with") {
					base = m[1]
					break
				}
				select {
				case err := <-done:
					t.Fatalf("RunCommand returned early: %v; stderr: %s", err, stderr.String())
				default:
				}
			}
			if base == "" {
				t.Fatalf("no banner; stdout %q", stdout.String())
			}
			out := stdout.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("banner lacks %q:\n%s", w, out)
				}
			}
			resp, err := http.Get(base + "/oauth/token")
			if err != nil {
				t.Fatalf("server not reachable: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("GET /oauth/token = %d, want 405", resp.StatusCode)
			}
			if !strings.Contains(stderr.String(), "GET /oauth/token -> 405") {
				t.Errorf("request not logged; stderr %q", stderr.String())
			}

			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("RunCommand after cancel: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("RunCommand did not stop after cancel")
			}
			if resp, err := http.Get(base + "/"); err == nil {
				resp.Body.Close()
				t.Error("server still answering after shutdown")
			}
		})
	}
}

func TestRunCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		is   error
	}{
		{"help", []string{"-h"}, flag.ErrHelp},
		{"unknown flag", []string{"--nope"}, nil},
		{"bad duration", []string{"--access-ttl", "soon"}, nil},
		{"zero duration", []string{"--refresh-ttl", "0s"}, nil},
		{"not loopback", []string{"--addr", "0.0.0.0:0"}, nil},
		{"positional arg", []string{"--addr", "127.0.0.1:0", "extra"}, nil},
		{"bad redirect", []string{"--addr", "127.0.0.1:0", "--redirect-uri", "not a uri"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var stderr bytes.Buffer
			err := sandbox.RunCommand(ctx, tt.args, io.Discard, &stderr)
			if err == nil {
				t.Fatal("want an error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
			if stderr.Len() == 0 {
				t.Error("nothing written to stderr")
			}
		})
	}
}

func TestNewServerOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sandbox.Options
		ok   bool
	}{
		{"defaults", sandbox.Options{}, true},
		{"localhost", sandbox.Options{Addr: "localhost:0"}, true},
		{"ipv4 loopback range", sandbox.Options{Addr: "127.0.0.2:0"}, true},
		{"all interfaces", sandbox.Options{Addr: ":0"}, false},
		{"wildcard", sandbox.Options{Addr: "0.0.0.0:0"}, false},
		{"public address", sandbox.Options{Addr: "192.0.2.1:0"}, false},
		{"no port", sandbox.Options{Addr: "127.0.0.1"}, false},
		{"redirect with fragment", sandbox.Options{RedirectURIs: []string{"http://127.0.0.1:1/cb#x"}}, false},
		{"relative redirect", sandbox.Options{RedirectURIs: []string{"/cb"}}, false},
		{"custom scheme redirect", sandbox.Options{RedirectURIs: []string{"tokendesk://oauth/cb"}}, true},
		{"user sub not a GUID", sandbox.Options{User: sandbox.User{Sub: "bob"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sandbox.NewServer(tc.opts)
			if s != nil {
				defer s.Close()
			}
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil {
				return
			}
			resp, err := http.Get(s.URL() + "/")
			if err != nil {
				t.Fatalf("GET /: %v", err)
			}
			body := readBody(t, resp)
			if resp.StatusCode != 200 || !strings.Contains(body, s.IntegrationKey()) {
				t.Errorf("GET / = %d", resp.StatusCode)
			}
		})
	}
}

func TestClockAndLog(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	s := newServer(t, sandbox.Options{AutoAccept: true, Secret: "topsecret", Logf: func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, f)
		for _, x := range a {
			if str, ok := x.(string); ok {
				lines = append(lines, str)
			}
		}
	}})
	before := s.Now()
	s.Advance(90 * time.Minute)
	if d := s.Now().Sub(before); d < 90*time.Minute || d > 91*time.Minute {
		t.Errorf("Advance(90m) moved the clock by %v", d)
	}
	v, c := pkce()
	code := login(t, s, "signature", c)
	st, tok, _ := postToken(t, s, map[string][]string{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {v}},
		&basicAuth{key, "topsecret"})
	if st != 200 {
		t.Fatalf("exchange %d", st)
	}
	refresh(t, s, tok.RefreshToken) // rejected: no Basic; logged
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(lines, "\n")
	if !strings.Contains(all, "/oauth/token") {
		t.Error("requests were not logged")
	}
	for _, secret := range []string{code, v, c, tok.AccessToken, tok.RefreshToken, "topsecret"} {
		if strings.Contains(all, secret) {
			t.Error("log contains a code, verifier, challenge, token or secret")
		}
	}
}
