//go:build !windows

package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// fakeBackend answers from fixed values and records calls.
type fakeBackend struct {
	mu       sync.Mutex
	token    string
	err      error
	minValid time.Duration
	handed   *HandOff
	release  chan struct{} // when set, Token waits for it
	entered  chan struct{}
}

func (f *fakeBackend) Token(ctx context.Context, p string, min time.Duration) (string, *keeper.Status, error) {
	if f.release != nil {
		close(f.entered)
		<-f.release
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.minValid = min
	return f.token, &keeper.Status{Profile: p}, f.err
}

func (f *fakeBackend) Status(ctx context.Context, p string) (*keeper.Status, error) {
	return &keeper.Status{Profile: p, State: keeper.Valid}, f.err
}

func (f *fakeBackend) Refresh(ctx context.Context, p string) (*keeper.Status, error) {
	return &keeper.Status{Profile: p, State: keeper.Valid, Reason: "refreshed"}, f.err
}

func (f *fakeBackend) HandOff(ctx context.Context, p string, h *HandOff) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handed = h
	return f.err
}

// testEndpoint is a socket endpoint under a fresh runtime dir.
func testEndpoint(t *testing.T) Endpoint {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Unix sockets")
	}
	rt, err := os.MkdirTemp("", "tdrt") // short: socket paths are limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	return EndpointFor(t.TempDir(), func(k string) string {
		if k == EnvRuntimeDir {
			return rt
		}
		return ""
	})
}

// serve starts a server on ep and stops it at the end of the test.
func serve(t *testing.T, ep Endpoint, opt Options) *Server {
	t.Helper()
	s, err := Listen(ep, opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Serve(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

func TestOps(t *testing.T) {
	ep := testEndpoint(t)
	fb := &fakeBackend{token: "tok-123"}
	shown := 0
	serve(t, ep, Options{Kind: KindWindow, Backend: fb, ShowWindow: func() error { shown++; return nil }})
	cl := NewClient(ep)
	ctx := context.Background()
	sess := &oauth.Session{RequestedScopes: []string{"signature"}}
	tests := []struct {
		name    string
		req     Request
		check   func(Response) error
		wantErr string
	}{
		{"ping", Request{Op: OpPing}, func(r Response) error {
			if r.Info == nil || r.Info.Kind != KindWindow || r.Info.PID != os.Getpid() || r.Info.Since.IsZero() {
				return fmt.Errorf("info %+v", r.Info)
			}
			return nil
		}, ""},
		{"token", Request{Op: OpToken, Profile: "p", MinValid: "7m"}, func(r Response) error {
			if r.Token != "tok-123" || fb.minValid != 7*time.Minute {
				return fmt.Errorf("token %q min %v", r.Token, fb.minValid)
			}
			return nil
		}, ""},
		{"token default min_valid", Request{Op: OpToken}, func(r Response) error {
			if fb.minValid != 5*time.Minute {
				return fmt.Errorf("min %v", fb.minValid)
			}
			return nil
		}, ""},
		{"bad min_valid", Request{Op: OpToken, MinValid: "soon"}, nil, ErrKindBadRequest},
		{"status", Request{Op: OpStatus, Profile: "p"}, func(r Response) error {
			if r.Status == nil || r.Status.Profile != "p" || r.Status.State != keeper.Valid {
				return fmt.Errorf("status %+v", r.Status)
			}
			return nil
		}, ""},
		{"refresh", Request{Op: OpRefresh, Profile: "p"}, func(r Response) error {
			if r.Status == nil || r.Status.Reason != "refreshed" {
				return fmt.Errorf("status %+v", r.Status)
			}
			return nil
		}, ""},
		{"show-window", Request{Op: OpShowWindow}, func(r Response) error {
			if shown != 1 {
				return fmt.Errorf("shown %d times", shown)
			}
			return nil
		}, ""},
		{"hand-off", Request{Op: OpHandOff, Profile: "p", HandOff: &HandOff{Session: sess, AccessToken: "a", RefreshToken: "r"}}, func(r Response) error {
			if fb.handed == nil || fb.handed.RefreshToken != "r" || fb.handed.AccessToken != "a" || fb.handed.Session.RequestedScopes[0] != "signature" {
				return fmt.Errorf("handed %+v", fb.handed)
			}
			return nil
		}, ""},
		{"hand-off without a session", Request{Op: OpHandOff, HandOff: &HandOff{}}, nil, ErrKindBadRequest},
		{"unknown op", Request{Op: "dance"}, nil, ErrKindUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := cl.Call(ctx, tt.req)
			if tt.wantErr != "" {
				var we *Error
				if !errors.As(err, &we) || we.Kind != tt.wantErr {
					t.Fatalf("error %v, want kind %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.check(r); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestErrorsClassify(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		signedOut bool
		relogin   bool
	}{
		{"signed out", keeper.ErrSignedOut, true, false},
		{"relogin", &oauth.Error{Op: "refresh", Kind: oauth.KindRelogin, Msg: "the refresh token is dead"}, false, true},
		{"other", errors.New("the keyring is locked"), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := testEndpoint(t)
			serve(t, ep, Options{Kind: KindAgent, Backend: &fakeBackend{err: tt.err}})
			_, err := NewClient(ep).Call(context.Background(), Request{Op: OpToken})
			if err == nil || errors.Is(err, ErrNoServer) {
				t.Fatalf("err %v", err)
			}
			if errors.Is(err, keeper.ErrSignedOut) != tt.signedOut || oauth.IsRelogin(err) != tt.relogin {
				t.Fatalf("%v: signed out %v, relogin %v", err, errors.Is(err, keeper.ErrSignedOut), oauth.IsRelogin(err))
			}
			if !strings.Contains(err.Error(), strings.Split(tt.err.Error(), ":")[0]) {
				t.Fatalf("message %q lost %q", err, tt.err)
			}
		})
	}
}

func TestNotServedFallsBack(t *testing.T) {
	ep := testEndpoint(t)
	raised := false
	serve(t, ep, Options{Kind: KindWindow, Backend: NotServed{}, ShowWindow: func() error { raised = true; return nil }})
	for _, op := range []string{OpToken, OpStatus, OpRefresh} {
		if _, err := NewClient(ep).Call(context.Background(), Request{Op: op}); !errors.Is(err, ErrNoServer) {
			t.Errorf("%s on a demo window: %v, want ErrNoServer", op, err)
		}
	}
	if info, err := NewClient(ep).Raise(context.Background()); err != nil || !raised || info.Kind != KindWindow {
		t.Fatalf("raise: %v %+v raised=%v", err, info, raised)
	}
}

func TestShowWindowOnAgent(t *testing.T) {
	ep := testEndpoint(t)
	serve(t, ep, Options{Kind: KindAgent, Backend: &fakeBackend{}})
	_, err := NewClient(ep).Call(context.Background(), Request{Op: OpShowWindow})
	var we *Error
	if !errors.As(err, &we) || we.Kind != ErrKindUnsupported || !strings.Contains(we.Message, "agent") {
		t.Fatalf("show-window on an agent: %v", err)
	}
}

func TestVersionMismatch(t *testing.T) {
	ep := testEndpoint(t)
	serve(t, ep, Options{Kind: KindAgent, Backend: &fakeBackend{}})
	c, err := dial(ep, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 4096)
	_, _ = c.Read(buf) // hello
	fmt.Fprintln(c, `{"v":99,"op":"ping"}`)
	n, _ := c.Read(buf)
	if !strings.Contains(string(buf[:n]), `"unsupported"`) || !strings.Contains(string(buf[:n]), "version 99") {
		t.Fatalf("answer %s", buf[:n])
	}
}

func TestModes(t *testing.T) {
	ep := testEndpoint(t)
	if err := os.MkdirAll(ep.Dir, 0o755); err != nil { // a too-open existing dir is restricted
		t.Fatal(err)
	}
	serve(t, ep, Options{Kind: KindAgent, Backend: &fakeBackend{}})
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{ep.Dir, 0o700}, {ep.Address, 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != c.want {
			t.Errorf("%s: mode %o, want %o", c.path, fi.Mode().Perm(), c.want)
		}
	}
}

func TestSecondServerAndStaleSocket(t *testing.T) {
	ep := testEndpoint(t)
	s, err := Listen(ep, Options{Kind: KindAgent, Backend: &fakeBackend{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(ep, Options{Kind: KindAgent}); !errors.Is(err, ErrRunning) {
		t.Fatalf("second listen: %v, want ErrRunning", err)
	}
	s.Close()
	// A killed server leaves its socket file behind, and its lock free.
	l, err := net.Listen("unix", ep.Address)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := os.Stat(ep.Address); err != nil {
		t.Fatal("no stale socket to test with")
	}
	start := time.Now()
	if _, err := NewClient(ep).Call(context.Background(), Request{Op: OpToken}); !errors.Is(err, ErrNoServer) {
		t.Fatalf("call on a stale socket: %v", err)
	}
	if d := time.Since(start); d > HelloTimeout {
		t.Fatalf("falling back took %v", d)
	}
	serve(t, ep, Options{Kind: KindAgent, Backend: &fakeBackend{token: "t"}})
	if r, err := NewClient(ep).Call(context.Background(), Request{Op: OpToken}); err != nil || r.Token != "t" {
		t.Fatalf("after replacing the stale socket: %v", err)
	}
}

func TestHungServerFallsBack(t *testing.T) {
	ep := testEndpoint(t)
	if err := ensurePrivateDir(ep.Dir); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", ep.Address) // accepts (backlog) but never says hello
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	start := time.Now()
	_, err = NewClient(ep).Call(context.Background(), Request{Op: OpToken})
	if !errors.Is(err, ErrNoServer) {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d < HelloTimeout/2 || d > HelloTimeout+200*time.Millisecond {
		t.Fatalf("gave up after %v, want about %v", d, HelloTimeout)
	}
}

func TestOtherUserRefused(t *testing.T) {
	ep := testEndpoint(t)
	var mu sync.Mutex
	var logs []string
	s := serve(t, ep, Options{Kind: KindAgent, Backend: &fakeBackend{token: "secret-token-value"}, Logf: func(f string, a ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	s.uid = os.Getuid() + 1 // the client is now "another user"
	_, err := NewClient(ep).Call(context.Background(), Request{Op: OpToken})
	var we *Error
	if !errors.Is(err, ErrNoServer) || !errors.As(err, &we) || we.Kind != ErrKindRefused {
		t.Fatalf("err %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logs) != 1 || !strings.Contains(logs[0], "refused") || strings.Contains(logs[0], "secret-token-value") {
		t.Fatalf("logs %q", logs)
	}
}

func TestShutdownWaitsForInFlight(t *testing.T) {
	ep := testEndpoint(t)
	fb := &fakeBackend{token: "late", release: make(chan struct{}), entered: make(chan struct{})}
	s, err := Listen(ep, Options{Kind: KindAgent, Backend: fb})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() { _ = s.Serve(ctx); close(served) }()
	got := make(chan string, 1)
	go func() {
		r, _ := NewClient(ep).Call(context.Background(), Request{Op: OpToken})
		got <- r.Token
	}()
	<-fb.entered
	cancel()
	select {
	case <-served:
		t.Fatal("Serve returned with a request in flight")
	case <-time.After(200 * time.Millisecond):
	}
	close(fb.release)
	<-served
	if tok := <-got; tok != "late" {
		t.Fatalf("the in-flight request got %q", tok)
	}
	if _, err := os.Stat(ep.Address); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket left behind after shutdown: %v", err)
	}
}
