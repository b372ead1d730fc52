package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

const testNS = "tokendesk-unittest"

func noPreflight() error { return nil }

// mockKeyring installs go-keyring's in-memory mock and returns a Keyring on
// it. (The real-keyring tests run in a child process, where MockInit is
// never called.)
func mockKeyring(t *testing.T) *Keyring {
	t.Helper()
	keyring.MockInit()
	return newKeyring(testNS, 0, goKeyring{}, newGate(), noPreflight)
}

// value returns a deterministic string of n bytes.
func value(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%08x", i*2654435761)
	}
	return b.String()[:n]
}

func rawEntry(t *testing.T, profile, user string) (string, bool) {
	t.Helper()
	v, err := keyring.Get(testNS+"/"+profile, user)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatalf("raw get %s: %v", user, err)
	}
	return v, true
}

func TestKeyringRoundTrip(t *testing.T) {
	k := mockKeyring(t)
	multi := strings.Repeat("é", MaxEntrySize) // 2 bytes per rune, odd cut points
	tests := []struct {
		name   string
		value  string
		chunks int
	}{
		{"empty", "", 0},
		{"small", "rt-123", 0},
		{"exactly limit", value(MaxEntrySize), 0},
		{"limit+1", value(MaxEntrySize + 1), 2},
		{"10kB", value(10_000), 5},
		{"100kB", value(100_000), 50},
		{"multibyte", "x" + multi, 3},
		{"looks like a head", chunkMarker + "1:2:x", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := k.Set("p1", KeyRefreshToken, tt.value); err != nil {
				t.Fatalf("Set: %v", err)
			}
			got, err := k.Get("p1", KeyRefreshToken)
			if err != nil || got != tt.value {
				t.Fatalf("Get: %d bytes, %v; want %d bytes", len(got), err, len(tt.value))
			}
			head, _ := rawEntry(t, "p1", KeyRefreshToken)
			if n, _, _, ok := parseHead(head); n != tt.chunks || (ok != (tt.chunks > 0)) {
				t.Fatalf("head %.40q: %d chunks, want %d", head, n, tt.chunks)
			}
			for i := 1; i <= tt.chunks; i++ {
				part, ok := rawEntry(t, "p1", chunkUser(KeyRefreshToken, i))
				if !ok || len(part) > MaxEntrySize || len(part) == 0 {
					t.Fatalf("chunk %d: %d bytes, present %v", i, len(part), ok)
				}
			}
			if _, ok := rawEntry(t, "p1", chunkUser(KeyRefreshToken, tt.chunks+1)); ok {
				t.Fatalf("chunk %d exists", tt.chunks+1)
			}
		})
	}
}

func TestKeyringNotFound(t *testing.T) {
	k := mockKeyring(t)
	if _, err := k.Get("p1", KeyAccessToken); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("Get of a missing secret: %v, want ErrNotFound only", err)
	}
	if err := k.Delete("p1", KeyAccessToken); err != nil {
		t.Fatalf("Delete of a missing secret: %v", err)
	}
}

func TestKeyringEntriesPerProfileAndKey(t *testing.T) {
	k := mockKeyring(t)
	must(t, k.Set("a", KeyRefreshToken, "rt-a"))
	must(t, k.Set("a", KeyAccessToken, "at-a"))
	must(t, k.Set("b", KeyRefreshToken, "rt-b"))
	for _, c := range [][3]string{{"a", KeyRefreshToken, "rt-a"}, {"a", KeyAccessToken, "at-a"}, {"b", KeyRefreshToken, "rt-b"}} {
		if v, ok := rawEntry(t, c[0], c[1]); !ok || v != c[2] {
			t.Errorf("service %s/%s user %s = %q, want %q", testNS, c[0], c[1], v, c[2])
		}
	}
}

func TestKeyringStaleChunksRemoved(t *testing.T) {
	tests := []struct {
		name          string
		first, second int
		left          int
	}{
		{"100kB then small", 100_000, 10, 0},
		{"100kB then 10kB", 100_000, 10_000, 5},
		{"10kB then limit+1", 10_000, MaxEntrySize + 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := mockKeyring(t)
			must(t, k.Set("p", KeyAccessToken, value(tt.first)))
			v := strings.ToUpper(value(tt.second))
			must(t, k.Set("p", KeyAccessToken, v))
			got, err := k.Get("p", KeyAccessToken)
			if err != nil || got != v {
				t.Fatalf("Get after overwrite: %d bytes, %v", len(got), err)
			}
			for i := tt.left + 1; i <= tt.first/MaxEntrySize+1; i++ {
				if _, ok := rawEntry(t, "p", chunkUser(KeyAccessToken, i)); ok {
					t.Fatalf("stale chunk %d left behind", i)
				}
			}
		})
	}
}

func TestKeyringOrphanChunksRemoved(t *testing.T) {
	k := mockKeyring(t)
	svc := testNS + "/p"
	for i := 1; i <= 3; i++ {
		must(t, keyring.Set(svc, chunkUser(KeyRefreshToken, i), "orphan"))
	}
	must(t, k.Set("p", KeyRefreshToken, "fresh"))
	for i := 1; i <= 3; i++ {
		if _, ok := rawEntry(t, "p", chunkUser(KeyRefreshToken, i)); ok {
			t.Fatalf("orphan chunk %d left behind", i)
		}
	}
}

func TestKeyringDeleteChunks(t *testing.T) {
	k := mockKeyring(t)
	must(t, k.Set("p", KeyRefreshToken, value(100_000)))
	must(t, k.Set("p", KeyAccessToken, "keep"))
	must(t, k.Delete("p", KeyRefreshToken))
	if _, err := k.Get("p", KeyRefreshToken); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	for i := 0; i <= 51; i++ {
		user := KeyRefreshToken
		if i > 0 {
			user = chunkUser(KeyRefreshToken, i)
		}
		if _, ok := rawEntry(t, "p", user); ok {
			t.Fatalf("entry %s left after Delete", user)
		}
	}
	if v, err := k.Get("p", KeyAccessToken); err != nil || v != "keep" {
		t.Fatalf("other key hit by Delete: %q %v", v, err)
	}
	must(t, k.Delete("p", KeyRefreshToken))
}

func TestKeyringCorruptChunks(t *testing.T) {
	svc := testNS + "/p"
	tests := []struct {
		name   string
		damage func(t *testing.T)
	}{
		{"chunk replaced", func(t *testing.T) { must(t, keyring.Set(svc, chunkUser(KeyRefreshToken, 2), "x")) }},
		{"chunk missing", func(t *testing.T) { must(t, keyring.Delete(svc, chunkUser(KeyRefreshToken, 3))) }},
		{"bad head", func(t *testing.T) { must(t, keyring.Set(svc, KeyRefreshToken, chunkMarker+"zz")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := mockKeyring(t)
			v := value(10_000)
			must(t, k.Set("p", KeyRefreshToken, v))
			tt.damage(t)
			got, err := k.Get("p", KeyRefreshToken)
			if !errors.Is(err, ErrCorrupt) || !errors.Is(err, ErrUnavailable) || got != "" {
				t.Fatalf("Get of damaged value: %q, %v; want ErrCorrupt", got, err)
			}
			if !strings.Contains(err.Error(), "sign in to this profile again") {
				t.Errorf("message %q does not say what to do", err)
			}
			// A fresh Set repairs it.
			must(t, k.Set("p", KeyRefreshToken, v))
		})
	}
}

// lossyBackend truncates what it stores, like a keyring with a silent limit.
type lossyBackend struct {
	backend
	limit int
}

func (l lossyBackend) Set(svc, user, v string) error {
	return l.backend.Set(svc, user, v[:min(len(v), l.limit)])
}

func TestKeyringReadBackMismatch(t *testing.T) {
	keyring.MockInit()
	k := newKeyring(testNS, 0, lossyBackend{goKeyring{}, 100}, newGate(), noPreflight)
	for _, n := range []int{50, 150, 10_000} {
		v := value(n)
		err := k.Set("p", KeyRefreshToken, v)
		if n <= 100 {
			if err != nil {
				t.Fatalf("Set %d bytes: %v", n, err)
			}
			continue
		}
		var ke *KeyringError
		if !errors.Is(err, ErrReadBack) || !errors.Is(err, ErrUnavailable) || !errors.As(err, &ke) || ke.Op != "set" {
			t.Fatalf("Set of %d bytes into a truncating keyring: %v, want ErrReadBack", n, err)
		}
		if strings.Contains(err.Error(), v[:100]) {
			t.Fatal("error message contains the secret")
		}
	}
}

// blockingBackend hangs every call until release is closed.
type blockingBackend struct {
	release chan struct{}
	calls   atomic.Int32
}

func (b *blockingBackend) wait() { b.calls.Add(1); <-b.release }
func (b *blockingBackend) Get(string, string) (string, error) {
	b.wait()
	return "", keyring.ErrNotFound
}
func (b *blockingBackend) Set(string, string, string) error { b.wait(); return nil }
func (b *blockingBackend) Delete(string, string) error      { b.wait(); return keyring.ErrNotFound }

func TestKeyringTimeout(t *testing.T) {
	be := &blockingBackend{release: make(chan struct{})}
	k := newKeyring(testNS, 50*time.Millisecond, be, newGate(), noPreflight)
	start := time.Now()
	err := k.Set("p", KeyRefreshToken, "secret-value")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "did not answer within 50ms") ||
		!strings.Contains(err.Error(), "unlock prompt") {
		t.Fatalf("Set on a hanging keyring: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Set took %v despite a 50ms timeout", d)
	}
	// The hung call still holds the keyring: the next one is refused
	// without reaching the backend, so it cannot overtake it.
	_, err = k.Get("p", KeyRefreshToken)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "earlier keyring request") {
		t.Fatalf("Get while an earlier call hangs: %v", err)
	}
	if n := be.calls.Load(); n != 1 {
		t.Fatalf("%d backend calls, want 1", n)
	}
	close(be.release)
	if _, err := k.Get("p", KeyRefreshToken); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after the keyring recovered: %v", err)
	}
}

func TestKeyringConcurrent(t *testing.T) {
	k := mockKeyring(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := fmt.Sprintf("p%d", i)
			v := value(3000 + i)
			for range 5 {
				if err := k.Set(p, KeyAccessToken, v); err != nil {
					t.Error(err)
					return
				}
				if got, err := k.Get(p, KeyAccessToken); err != nil || got != v {
					t.Errorf("Get %s: %v", p, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// countingBackend counts calls and fails the test if any is made.
type countingBackend struct{ calls atomic.Int32 }

func (c *countingBackend) Get(string, string) (string, error) { c.calls.Add(1); return "", nil }
func (c *countingBackend) Set(string, string, string) error   { c.calls.Add(1); return nil }
func (c *countingBackend) Delete(string, string) error        { c.calls.Add(1); return nil }

func TestKeyringRefusesWithoutSessionBus(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("the session-bus check applies to the Secret Service only")
	}
	rt := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", rt)
	for _, addr := range []string{"", "autolaunch:"} {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
		be := &countingBackend{}
		k := newKeyring(testNS, 0, be, newGate(), sessionBusPreflight)
		checks := []error{
			k.Set("p", KeyRefreshToken, "secret-value"),
			k.Delete("p", KeyRefreshToken),
		}
		_, err := k.Get("p", KeyRefreshToken)
		checks = append(checks, err)
		for _, err := range checks {
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "DBUS_SESSION_BUS_ADDRESS is unset") {
				t.Fatalf("address %q: %v", addr, err)
			}
		}
		if n := be.calls.Load(); n != 0 {
			t.Fatalf("address %q: %d backend calls without a bus, want 0", addr, n)
		}
	}
	// godbus finds $XDG_RUNTIME_DIR/bus on its own without autolaunching.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	must(t, os.WriteFile(filepath.Join(rt, "bus"), nil, 0o600))
	if err := sessionBusPreflight(); err != nil {
		t.Fatalf("with %s/bus present: %v", rt, err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	if err := sessionBusPreflight(); err != nil {
		t.Fatalf("with an address set: %v", err)
	}
}

func TestKeyringRejectsBadNames(t *testing.T) {
	k := mockKeyring(t)
	for _, c := range [][2]string{{"", "k"}, {"a/b", "k"}, {"p", ""}, {"p", "k.1"}, {"p", "a/b"}} {
		if err := k.Set(c[0], c[1], "v"); err == nil {
			t.Errorf("Set(%q, %q) accepted", c[0], c[1])
		}
		if _, err := k.Get(c[0], c[1]); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q, %q): %v", c[0], c[1], err)
		}
	}
	if err := k.Set("p", "k", value(MaxValueSize+1)); err == nil {
		t.Error("Set of a value over MaxValueSize accepted")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
