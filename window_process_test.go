package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSecondWindowRaisesFirst: one window per configuration; a second one
// raises the first instead of starting a second set of refreshers.
func TestSecondWindowRaisesFirst(t *testing.T) {
	if os.Getenv("DISPLAY") == "" || os.Getenv("TOKENDESK_REAL_KEYRING") != "1" {
		t.Skip("needs a display and a session bus: run under scripts/with-session.sh")
	}
	dir := t.TempDir()
	start := func(ctx context.Context) *exec.Cmd {
		c := exec.CommandContext(ctx, os.Args[0], "--demo")
		c.Env = append(os.Environ(), "TOKENDESK_BE_MAIN=1", "TOKENDESK_CONFIG_DIR="+dir)
		return c
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := start(ctx)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Process.Kill(); _ = first.Wait() }()
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(dir, "window.lock")); err == nil {
			break
		}
		if i > 200 {
			t.Fatal("the first window never took its lock")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	out, err := start(sctx).CombinedOutput()
	// Issue 9: the second one raises the first over the local endpoint and exits 0.
	if err != nil || !strings.Contains(string(out), "brought to the front") {
		t.Fatalf("second window: %v %s", err, out)
	}
}
