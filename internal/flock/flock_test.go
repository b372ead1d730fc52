package flock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// helperEnv makes the test binary act as a second process holding or probing
// the lock; its value is the lock path.
const helperEnv = "TOKENDESK_FLOCK_HELPER"

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		os.Exit(helper(path, os.Getenv(helperEnv+"_MODE")))
	}
	os.Exit(m.Run())
}

// helper runs in the child process. Mode "try" prints "free" or "busy";
// mode "hold" takes the lock, prints "held" and keeps it until stdin closes.
func helper(path, mode string) int {
	switch mode {
	case "try":
		unlock, ok, err := TryLock(path)
		if err != nil {
			fmt.Println("error:", err)
			return 1
		}
		if ok {
			_ = unlock()
			fmt.Println("free")
		} else {
			fmt.Println("busy")
		}
		return 0
	case "hold":
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		unlock, err := Lock(ctx, path)
		if err != nil {
			fmt.Println("error:", err)
			return 1
		}
		fmt.Println("held")
		_, _ = io.Copy(io.Discard, os.Stdin)
		if err := unlock(); err != nil {
			return 1
		}
		return 0
	}
	return 2
}

func child(t *testing.T, path, mode string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path, helperEnv+"_MODE="+mode)
	cmd.Stderr = os.Stderr
	return cmd
}

func probe(t *testing.T, path string) string {
	t.Helper()
	out, err := child(t, path, "try").Output()
	if err != nil {
		t.Fatalf("helper: %v (%s)", err, out)
	}
	return string(out[:len(out)-1])
}

func TestTryLockExcludesInProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	u1, ok, err := TryLock(path)
	if err != nil || !ok {
		t.Fatalf("first TryLock: ok=%v err=%v", ok, err)
	}
	if _, ok, err := TryLock(path); err != nil || ok {
		t.Fatalf("second TryLock while held: ok=%v err=%v, want busy", ok, err)
	}
	if err := u1(); err != nil {
		t.Fatal(err)
	}
	if err := u1(); err != nil {
		t.Fatalf("second unlock: %v", err)
	}
	u2, ok, err := TryLock(path)
	if err != nil || !ok {
		t.Fatalf("TryLock after unlock: ok=%v err=%v", ok, err)
	}
	_ = u2()
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("lock file mode %v, want 0600", fi.Mode().Perm())
		}
	}
}

func TestLockWaitsAndExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	var inside, maxInside atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			unlock, err := Lock(ctx, path)
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			for {
				m := maxInside.Load()
				if n <= m || maxInside.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			inside.Add(-1)
			if err := unlock(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if m := maxInside.Load(); m != 1 {
		t.Fatalf("%d holders at once, want 1", m)
	}
}

func TestLockHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	u, ok, err := TryLock(path)
	if err != nil || !ok {
		t.Fatalf("TryLock: ok=%v err=%v", ok, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := Lock(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock with held lock: %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Lock took %v to notice the deadline", d)
	}
	// Already cancelled: fails even though the lock is free, and leaks nothing.
	_ = u()
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if _, err := Lock(cctx, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with cancelled ctx: %v, want Canceled", err)
	}
	u, ok, err = TryLock(path)
	if err != nil || !ok {
		t.Fatalf("lock leaked by the cancelled Lock: ok=%v err=%v", ok, err)
	}
	_ = u()
}

func TestMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "x.lock")
	if _, _, err := TryLock(path); err == nil {
		t.Fatal("TryLock in a missing directory succeeded")
	}
	if _, err := Lock(context.Background(), path); err == nil {
		t.Fatal("Lock in a missing directory succeeded")
	}
}

func TestCrossProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	if got := probe(t, path); got != "free" {
		t.Fatalf("child sees %q before anyone holds the lock, want free", got)
	}

	// This process holds it: the child is shut out.
	u, ok, err := TryLock(path)
	if err != nil || !ok {
		t.Fatalf("TryLock: ok=%v err=%v", ok, err)
	}
	if got := probe(t, path); got != "busy" {
		t.Fatalf("child sees %q while the parent holds the lock, want busy", got)
	}
	_ = u()
	if got := probe(t, path); got != "free" {
		t.Fatalf("child sees %q after the parent unlocked, want free", got)
	}

	// The child holds it: this process is shut out until the child lets go.
	cmd := child(t, path, "hold")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "held\n" {
		t.Fatalf("child: %q %v", line, err)
	}
	if _, ok, err := TryLock(path); err != nil || ok {
		t.Fatalf("TryLock while the child holds the lock: ok=%v err=%v", ok, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Millisecond)
	if _, err := Lock(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while the child holds the lock: %v", err)
	}
	cancel()
	_ = stdin.Close()
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u, err = Lock(ctx, path)
	if err != nil {
		t.Fatalf("Lock after the child released: %v", err)
	}
	_ = u()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
}
