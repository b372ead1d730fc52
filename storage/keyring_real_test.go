package storage

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These tests use the real go-keyring provider. The unit tests of this
// package replace it process-wide with keyring.MockInit, so each of these
// re-runs the test binary with -test.run naming itself alone; the child sees
// childEnv set and does the work.
const (
	realEnv  = "TOKENDESK_REAL_KEYRING"
	childEnv = "TOKENDESK_STORAGE_TEST_CHILD"
)

// inChild re-executes the test binary to run only the current test, with
// extra environment, and reports its output. It returns true in the child,
// which should then run the test body.
func inChild(t *testing.T, env ...string) bool {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() {
		return true
	}
	runChild(t, exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1"), env...)
	return false
}

func runChild(t *testing.T, cmd *exec.Cmd, env ...string) {
	t.Helper()
	cmd.Env = append(append(os.Environ(), childEnv+"="+t.Name()), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("child test failed: %v\n%s", err, out)
	}
	t.Logf("child test output:\n%s", out)
}

func needRealKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv(realEnv) != "1" {
		t.Skipf("%s is not 1: run under storage/testdata/with-keyring.sh to test against a real Secret Service", realEnv)
	}
}

// secretTool runs secret-tool lookup on go-keyring's attributes (service,
// username), proving where and how the entry is stored.
func secretTool(t *testing.T, service, user string) (string, bool) {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", service, "username", user).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(out) == 0 {
		return "", false
	}
	if err != nil {
		t.Fatalf("secret-tool lookup %s %s: %v", service, user, err)
	}
	return strings.TrimSuffix(string(out), "\n"), true
}

func TestRealKeyring(t *testing.T) {
	needRealKeyring(t)
	if !inChild(t) {
		return
	}
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("secret-tool (package libsecret-tools) is needed for the real-keyring test")
	}
	k := NewKeyring(KeyringNamespace(t.TempDir()), 10*time.Second)
	svc := k.Service("it")
	t.Cleanup(func() {
		_ = k.Delete("it", KeyRefreshToken)
		_ = k.Delete("it", KeyAccessToken)
	})

	t.Run("round trip", func(t *testing.T) {
		must(t, k.Set("it", KeyRefreshToken, "rt-real-1"))
		if v, err := k.Get("it", KeyRefreshToken); err != nil || v != "rt-real-1" {
			t.Fatalf("Get: %q %v", v, err)
		}
		if v, ok := secretTool(t, svc, KeyRefreshToken); !ok || v != "rt-real-1" {
			t.Fatalf("secret-tool sees %q (%v)", v, ok)
		}
	})
	t.Run("not found", func(t *testing.T) {
		if _, err := k.Get("it", KeyClientSecret); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get: %v", err)
		}
	})
	t.Run("written by secret-tool", func(t *testing.T) {
		cmd := exec.Command("secret-tool", "store", "--label", "tokendesk test", "service", svc, "username", KeyAccessToken)
		cmd.Stdin = strings.NewReader("at-from-secret-tool")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("secret-tool store: %v %s", err, out)
		}
		if v, err := k.Get("it", KeyAccessToken); err != nil || v != "at-from-secret-tool" {
			t.Fatalf("Get: %q %v", v, err)
		}
	})
	t.Run("100kB chunked", func(t *testing.T) {
		v := value(100_000)
		must(t, k.Set("it", KeyRefreshToken, v))
		if got, err := k.Get("it", KeyRefreshToken); err != nil || got != v {
			t.Fatalf("Get: %d bytes %v", len(got), err)
		}
		head, _ := secretTool(t, svc, KeyRefreshToken)
		if n, size, _, ok := parseHead(head); !ok || n != 50 || size != 100_000 {
			t.Fatalf("head entry %q", head)
		}
		if c1, ok := secretTool(t, svc, KeyRefreshToken+".1"); !ok || c1 != v[:MaxEntrySize] {
			t.Fatalf("chunk 1: %d bytes", len(c1))
		}
	})
	t.Run("stale chunks removed", func(t *testing.T) {
		must(t, k.Set("it", KeyRefreshToken, "short-again"))
		if v, ok := secretTool(t, svc, KeyRefreshToken); !ok || v != "short-again" {
			t.Fatalf("head %q", v)
		}
		for _, i := range []string{".1", ".2", ".50"} {
			if _, ok := secretTool(t, svc, KeyRefreshToken+i); ok {
				t.Fatalf("stale chunk %s left", i)
			}
		}
	})
	t.Run("delete", func(t *testing.T) {
		must(t, k.Set("it", KeyRefreshToken, value(5000)))
		must(t, k.Delete("it", KeyRefreshToken))
		if _, err := k.Get("it", KeyRefreshToken); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get after Delete: %v", err)
		}
		for _, u := range []string{"", ".1", ".2", ".3"} {
			if _, ok := secretTool(t, svc, KeyRefreshToken+u); ok {
				t.Fatalf("entry %s left", KeyRefreshToken+u)
			}
		}
		must(t, k.Delete("it", KeyRefreshToken))
	})
}

// TestRealKeyringLocked locks the login collection of a private Secret
// Service (its own with-keyring.sh session, so nothing else is disturbed)
// and expects an actionable "unlock" error.
func TestRealKeyringLocked(t *testing.T) {
	needRealKeyring(t)
	if os.Getenv(childEnv) == t.Name() {
		k := NewKeyring(KeyringNamespace(t.TempDir()), 3*time.Second)
		_, err := k.Get("it", KeyRefreshToken)
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "unlock") {
			t.Fatalf("Get on a locked keyring: %v", err)
		}
		t.Logf("locked keyring: %v", err)
		return
	}
	script, err := filepath.Abs("testdata/with-keyring.sh")
	must(t, err)
	lock := `dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets ` +
		`org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null && exec "$@"`
	runChild(t, exec.Command("sh", script, "sh", "-c", lock, "lock",
		os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1"))
}

// TestKeyringDeadBus points the real provider at a dead socket (no bus is
// started, so it runs everywhere) and expects ErrUnavailable with a hint.
func TestKeyringDeadBus(t *testing.T) {
	dead := filepath.Join(t.TempDir(), "no-bus")
	if !inChild(t, "DBUS_SESSION_BUS_ADDRESS=unix:path="+dead) {
		return
	}
	k := NewKeyring("tokendesk-deadbus-test", 3*time.Second)
	_, gerr := k.Get("it", KeyRefreshToken)
	serr := k.Set("it", KeyRefreshToken, "never-stored")
	for _, err := range []error{gerr, serr} {
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "DBUS_SESSION_BUS_ADDRESS is not reachable") {
			t.Fatalf("dead bus: %v", err)
		}
	}
	t.Logf("dead bus: %v", gerr)
}

// TestRealKeyringMigration opens a default config directory whose refresh
// token an older build stored under the shared namespace "tokendesk": it is
// moved to the directory's own namespace, a second HOME does not see it, and
// the directory reached through a symbolic link reads the same entry.
func TestRealKeyringMigration(t *testing.T) {
	needRealKeyring(t)
	if !inChild(t) {
		return
	}
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("secret-tool (package libsecret-tools) is needed for the real-keyring test")
	}
	t.Setenv(EnvConfigDir, "")
	useHome := func() string {
		home := t.TempDir()
		t.Setenv("HOME", home)
		t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
		dir, overridden, err := DefaultDir()
		must(t, err)
		if overridden {
			t.Fatal("DefaultDir says overridden")
		}
		writeConfig(t, dir, "it")
		return dir
	}
	dir1 := useHome()
	const legacySvc = legacyDefaultNamespace + "/it"
	store := exec.Command("secret-tool", "store", "--label", "tokendesk test", "service", legacySvc, "username", KeyRefreshToken)
	store.Stdin = strings.NewReader("rt-legacy-1")
	if out, err := store.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v %s", err, out)
	}
	s1, k1, err := OpenDir(dir1)
	must(t, err)
	t.Cleanup(func() { _ = k1.Delete("it", KeyRefreshToken) })
	if k1.Namespace() != KeyringNamespace(dir1) || len(s1.Warnings()) != 0 {
		t.Fatalf("namespace %q, warnings %q", k1.Namespace(), s1.Warnings())
	}
	if v, ok := secretTool(t, k1.Service("it"), KeyRefreshToken); !ok || v != "rt-legacy-1" {
		t.Fatalf("moved entry: %q %v", v, ok)
	}
	if _, ok := secretTool(t, legacySvc, KeyRefreshToken); ok {
		t.Fatal("the entry under the shared namespace was left behind")
	}

	dir2 := useHome()
	_, k2, err := OpenDir(dir2)
	must(t, err)
	if k2.Namespace() == k1.Namespace() {
		t.Fatalf("two HOMEs share namespace %q", k2.Namespace())
	}
	if v, err := k2.Get("it", KeyRefreshToken); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the second HOME reads %q, %v", v, err)
	}

	link := filepath.Join(t.TempDir(), "link")
	must(t, os.Symlink(dir1, link))
	t.Setenv(EnvConfigDir, link)
	_, k3, err := OpenDir(link)
	must(t, err)
	if v, err := k3.Get("it", KeyRefreshToken); err != nil || v != "rt-legacy-1" {
		t.Fatalf("through a symlink: %q %v", v, err)
	}
}
