package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

// refreshRaw posts a refresh and returns the raw response (or the error).
func refreshRaw(ctx context.Context, s *sandbox.Server, rt string) (*http.Response, string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/oauth/token", strings.NewReader(url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {key}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// A fresh transport per call so a dropped connection is not retried
	// on another pooled connection.
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault sandbox.Fault
		check func(t *testing.T, resp *http.Response, body string, err error)
	}{
		{"html 502", func() sandbox.Fault { f := sandbox.HTMLFault(502); f.Path = "/oauth/token"; return f }(),
			func(t *testing.T, resp *http.Response, body string, err error) {
				if err != nil || resp.StatusCode != 502 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
					!strings.Contains(body, "502 Bad Gateway") {
					t.Errorf("got %v %v", resp, err)
				}
			}},
		{"malformed json", sandbox.MalformedJSONFault(),
			func(t *testing.T, resp *http.Response, body string, err error) {
				var v map[string]any
				if err != nil || resp.StatusCode != 200 || json.Unmarshal([]byte(body), &v) == nil {
					t.Errorf("want 200 with unparseable JSON, got err=%v", err)
				}
			}},
		{"server error 503", sandbox.ServerErrorFault(503),
			func(t *testing.T, resp *http.Response, body string, err error) {
				if err != nil || resp.StatusCode != 503 || !strings.Contains(body, `"error":"temporarily_unavailable"`) {
					t.Errorf("want 503 temporarily_unavailable, got %v %q %v", resp, body, err)
				}
			}},
		{"server error 500", sandbox.ServerErrorFault(500),
			func(t *testing.T, resp *http.Response, body string, err error) {
				if err != nil || resp.StatusCode != 500 || !strings.Contains(body, `"error":"server_error"`) {
					t.Errorf("want 500 server_error, got %v %q %v", resp, body, err)
				}
			}},
		{"custom", sandbox.Fault{Status: 429, ContentType: "text/plain", Body: "slow down", RetryAfter: "120"},
			func(t *testing.T, resp *http.Response, body string, err error) {
				if err != nil || resp.StatusCode != 429 || body != "slow down" || resp.Header.Get("Content-Type") != "text/plain" ||
					resp.Header.Get("Retry-After") != "120" {
					t.Errorf("got %v %q %v", resp, body, err)
				}
			}},
		{"expires_in as float", sandbox.ExpiresInFloatFault(),
			func(t *testing.T, resp *http.Response, body string, err error) {
				var v map[string]any
				if err != nil || resp.StatusCode != 200 || json.Unmarshal([]byte(body), &v) != nil ||
					!strings.Contains(body, `"expires_in":28800.0`) || v["refresh_token"] == "" {
					t.Errorf("want a rotated answer with expires_in 28800.0, got %q %v", body, err)
				}
			}},
		{"drop", sandbox.Fault{Path: "/oauth/token", Drop: true},
			func(t *testing.T, resp *http.Response, body string, err error) {
				if err == nil {
					t.Errorf("dropped connection gave a response: %d", resp.StatusCode)
				}
			}},
		{"delay then normal", sandbox.Fault{Delay: 150 * time.Millisecond},
			func(t *testing.T, resp *http.Response, body string, err error) {
				if err != nil || resp.StatusCode != 200 {
					t.Errorf("delayed request should still succeed: %v", err)
				}
			}},
		{"delay then status", sandbox.Fault{Delay: 150 * time.Millisecond, Status: 504, Body: "timeout"},
			func(t *testing.T, resp *http.Response, body string, err error) {
				if err != nil || resp.StatusCode != 504 {
					t.Errorf("got %v %v", resp, err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A Logf puts the request logger (a wrapping ResponseWriter)
			// in the path, which Drop must see through to hijack.
			s := newServer(t, sandbox.Options{AutoAccept: true, Logf: func(string, ...any) {}})
			rt := newSession(t, s, "signature").RefreshToken
			s.InjectFault(tt.fault, 1)
			start := time.Now()
			resp, body, err := refreshRaw(context.Background(), s, rt)
			if el := time.Since(start); el < tt.fault.Delay {
				t.Errorf("answered after %v, before the %v delay", el, tt.fault.Delay)
			}
			tt.check(t, resp, body, err)
			if got := s.Stats().Faults; got != 1 {
				t.Errorf("Stats.Faults = %d, want 1", got)
			}
			// The fault is used up: the next request is normal. The refresh
			// token survived unless the delayed request went through.
			want := http.StatusOK
			if tt.fault.Delay > 0 && tt.fault.Status == 0 || tt.fault.ExpiresInFloat {
				want = http.StatusBadRequest // rotated by the request served normally
			}
			resp, _, err = refreshRaw(context.Background(), s, rt)
			if err != nil || resp.StatusCode != want {
				t.Errorf("after the fault: %v %v, want %d", resp, err, want)
			}
		})
	}
}

func TestFaultMatchingAndCount(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true})
	tok := newSession(t, s, "signature")
	s.InjectFault(sandbox.ServerErrorFault(503), 0) // no-op
	s.InjectFault(sandbox.Fault{Path: "/oauth/userinfo", Status: 500}, 2)
	s.InjectFault(sandbox.Fault{Path: "/oauth/token", Status: 502}, 1)

	// Token endpoint: hits its own fault once, then normal.
	if resp, _, err := refreshRaw(context.Background(), s, tok.RefreshToken); err != nil || resp.StatusCode != 502 {
		t.Errorf("first token request: %v %v, want 502", resp, err)
	}
	if resp, _, err := refreshRaw(context.Background(), s, tok.RefreshToken); err != nil || resp.StatusCode != 200 {
		t.Errorf("second token request: %v %v, want 200", resp, err)
	}
	// Userinfo: two faults, then normal.
	for i, want := range []int{500, 500, 200} {
		if st, _ := userinfo(t, s, tok.AccessToken); st != want {
			t.Errorf("userinfo #%d: %d, want %d", i+1, st, want)
		}
	}
	if got := s.Stats().Faults; got != 3 {
		t.Errorf("Stats.Faults = %d, want 3", got)
	}
}

func TestFaultDelayHonoursClientCancel(t *testing.T) {
	s := newServer(t, sandbox.Options{AutoAccept: true})
	rt := newSession(t, s, "signature").RefreshToken
	s.InjectFault(sandbox.Fault{Delay: time.Hour}, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := refreshRaw(ctx, s, rt)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
	// The handler gave up with the client: the token was not rotated.
	time.Sleep(50 * time.Millisecond)
	if !s.RefreshTokenValid(rt) {
		t.Error("abandoned delayed request still rotated the refresh token")
	}
	// Close must not wait for the hour either.
	s.InjectFault(sandbox.Fault{Delay: time.Hour}, 1)
	go func() { _, _, _ = refreshRaw(context.Background(), s, rt) }()
	time.Sleep(100 * time.Millisecond)
	s.Close()
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v", el)
	}
}
