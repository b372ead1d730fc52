//go:build linux && cgo && !wayland

package x11start

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// startXvfb starts a private Xvfb (it picks a free display number itself)
// and returns the path of its socket.
func startXvfb(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Skip("needs Xvfb")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "64x64x24")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() { s, _ := bufio.NewReader(r).ReadString('\n'); line <- strings.TrimSpace(s) }()
	select {
	case n := <-line:
		if n == "" {
			t.Fatal("Xvfb did not report its display number")
		}
		return "/tmp/.X11-unix/X" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start within 20 s")
	}
	return ""
}

// resettingServer listens as X display :N (an abstract socket, which libxcb
// tries first) and drops the first drop connections the way an X server
// that resets drops them: accepted, then closed unread. Later connections
// are passed to the real server at upstream.
func resettingServer(t *testing.T, upstream string, drop int32) (display string, accepted *atomic.Int32) {
	t.Helper()
	var ln net.Listener
	var n int
	for n = 6000 + os.Getpid()%2000; ; n++ {
		l, err := net.Listen("unix", fmt.Sprintf("@/tmp/.X11-unix/X%d", n))
		if err == nil {
			ln = l
			break
		}
		if n > 9999 {
			t.Fatalf("no free abstract X socket name: %v", err)
		}
	}
	t.Cleanup(func() { ln.Close() })
	accepted = new(atomic.Int32)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if accepted.Add(1) <= drop {
				c.Close()
				continue
			}
			up, err := net.Dial("unix", upstream)
			if err != nil {
				c.Close()
				continue
			}
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	return fmt.Sprintf(":%d", n), accepted
}

// TestConnectThroughServerResets opens real Xlib connections through a
// server that drops the first connections as a resetting X server does.
func TestConnectThroughServerResets(t *testing.T) {
	upstream := startXvfb(t)
	short := []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}
	tests := []struct {
		name      string
		drop      int32
		wantTries int32
		wantErr   bool
	}{
		{name: "no reset", drop: 0, wantTries: 1},
		{name: "two resets", drop: 2, wantTries: 3},
		{name: "the server keeps dropping", drop: 100, wantTries: 4, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			display, accepted := resettingServer(t, upstream, tc.drop)
			closeFn, err := connect(display, openX11, time.Sleep, short)
			if got := accepted.Load(); got != tc.wantTries {
				t.Errorf("the server saw %d connections, want %d", got, tc.wantTries)
			}
			if tc.wantErr {
				if !errors.Is(err, errNoConnection) || !strings.Contains(err.Error(), display) {
					t.Fatalf("err = %v, want a failed connection to %s", err, display)
				}
				return
			}
			if err != nil {
				t.Fatalf("connect through %d resets: %v", tc.drop, err)
			}
			closeFn()
		})
	}
}
