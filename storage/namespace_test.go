package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/internal/flock"
	"github.com/zalando/go-keyring"
)

func TestKeyringNamespace(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	root := t.TempDir()
	real := filepath.Join(root, "real")
	must(t, os.MkdirAll(real, 0o700))
	link := filepath.Join(root, "link")
	must(t, os.Symlink(real, link))
	ns := KeyringNamespace(real)
	tests := []struct {
		name string
		dir  string
		same bool
	}{
		{"same path", real, true},
		{"trailing slash", real + "/", true},
		{"through a symlink", link, true},
		{"dotted path", filepath.Join(real, "..", "real"), true},
		{"other directory", filepath.Join(root, "other"), false},
		{"not yet created under the symlink", filepath.Join(link, "sub"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KeyringNamespace(tt.dir)
			if !strings.HasPrefix(got, "tokendesk-") || len(got) != len("tokendesk-")+12 {
				t.Fatalf("namespace %q", got)
			}
			if (got == ns) != tt.same {
				t.Fatalf("KeyringNamespace(%s) = %q, KeyringNamespace(%s) = %q; same = %v, want %v", tt.dir, got, real, ns, got == ns, tt.same)
			}
		})
	}
	// A directory not created yet gets the namespace it will have once it is.
	sub := KeyringNamespace(filepath.Join(link, "sub"))
	must(t, os.Mkdir(filepath.Join(real, "sub"), 0o700))
	if again := KeyringNamespace(filepath.Join(real, "sub")); again != sub {
		t.Fatalf("namespace changed when the directory was created: %q then %q", sub, again)
	}
}

// TestKeyringNamespaceDefaultDirs: two users' default directories (two
// HOMEs) used to share "tokendesk"; now each has its own namespace.
func TestKeyringNamespaceDefaultDirs(t *testing.T) {
	t.Setenv(EnvConfigDir, "")
	var namespaces []string
	for _, home := range []string{t.TempDir(), t.TempDir()} {
		t.Setenv("HOME", home)
		t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
		dir, overridden, err := DefaultDir()
		must(t, err)
		if overridden {
			t.Fatal("DefaultDir says overridden")
		}
		if legacy := legacyNamespace(dir); legacy != legacyDefaultNamespace {
			t.Fatalf("legacy namespace of the default dir: %q", legacy)
		}
		namespaces = append(namespaces, KeyringNamespace(dir))
	}
	if namespaces[0] == namespaces[1] || namespaces[0] == legacyDefaultNamespace {
		t.Fatalf("two HOMEs share a namespace: %q", namespaces)
	}
	t.Setenv(EnvConfigDir, filepath.Join(t.TempDir(), "over"))
	dir, _, err := DefaultDir()
	must(t, err)
	if legacy := legacyNamespace(dir); legacy != hashNamespace(dir) {
		t.Fatalf("legacy namespace of an overridden dir: %q", legacy)
	}
}

// flakyBackend is go-keyring's mock, except that Set fails for services
// starting with failPrefix while fail is set.
type flakyBackend struct {
	goKeyring
	failPrefix string
	fail       atomic.Bool
}

func (b *flakyBackend) Set(service, user, v string) error {
	if b.fail.Load() && strings.HasPrefix(service, b.failPrefix) {
		return errors.New("the keyring refused the write")
	}
	return b.goKeyring.Set(service, user, v)
}

func writeConfig(t *testing.T, dir string, profiles ...string) {
	t.Helper()
	s := Open(dir)
	must(t, s.Update(context.Background(), func(c *Config) error {
		for _, p := range profiles {
			c.Profiles = append(c.Profiles, testProfile(p))
		}
		return nil
	}))
}

func mockGet(t *testing.T, ns, profile, key string) (string, bool) {
	t.Helper()
	v, err := keyring.Get(ns+"/"+profile, key)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", false
	}
	must(t, err)
	return v, true
}

func TestOpenDirMigratesKeyring(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	keyring.MockInit()
	// The directory is used through a symbolic link, so the old rule (a hash
	// of the absolute path) and the new one (of the canonical path) differ.
	real := filepath.Join(t.TempDir(), "cfg")
	writeConfig(t, real, "a", "b")
	dir := filepath.Join(t.TempDir(), "link")
	must(t, os.Symlink(real, dir))
	legacy := legacyNamespace(dir)
	ns := KeyringNamespace(dir)
	if legacy == ns {
		t.Fatalf("old and new namespace are the same: %q", ns)
	}
	be := &flakyBackend{failPrefix: ns}
	open := func() (*Store, *Keyring) {
		s, k, err := openDir(dir, func(n string) *Keyring { return newKeyring(n, 0, be, newGate(), noPreflight) })
		must(t, err)
		return s, k
	}
	old := map[[2]string]string{
		{"a", KeyRefreshToken}: "rt-a", {"a", KeyAccessToken}: "at-a", {"a", KeyClientSecret}: "cs-a",
		{"b", KeyRefreshToken}: "rt-b",
	}
	for e, v := range old {
		must(t, keyring.Set(legacy+"/"+e[0], e[1], v))
	}

	// 1. The new namespace refuses writes: nothing old is touched, the old
	// namespace stays in use, and the user is told.
	be.fail.Store(true)
	s, k := open()
	if k.Namespace() != legacy {
		t.Fatalf("after a failed move the keyring uses %q, want the old %q", k.Namespace(), legacy)
	}
	if w := strings.Join(s.Warnings(), "\n"); !strings.Contains(w, "tried again next time") || !strings.Contains(w, "refused the write") {
		t.Fatalf("warnings after a failed move: %q", w)
	}
	for e, v := range old {
		if got, ok := mockGet(t, legacy, e[0], e[1]); !ok || got != v {
			t.Fatalf("old entry %v after a failed move: %q %v", e, got, ok)
		}
	}
	c, err := s.Load()
	must(t, err)
	if c.KeyringNamespace != "" {
		t.Fatalf("a failed move was recorded: %q", c.KeyringNamespace)
	}

	// 2. The next open moves everything, records it and deletes the old entries.
	be.fail.Store(false)
	s, k = open()
	if k.Namespace() != ns || len(s.Warnings()) != 0 {
		t.Fatalf("keyring %q, warnings %q", k.Namespace(), s.Warnings())
	}
	for e, v := range old {
		if got, err := k.Get(e[0], e[1]); err != nil || got != v {
			t.Fatalf("new entry %v: %q %v", e, got, err)
		}
		if _, ok := mockGet(t, legacy, e[0], e[1]); ok {
			t.Fatalf("old entry %v left behind", e)
		}
	}
	c, err = s.Load()
	must(t, err)
	if c.KeyringNamespace != ns {
		t.Fatalf("recorded namespace %q, want %q", c.KeyringNamespace, ns)
	}

	// 3. It runs once: an entry appearing under the old namespace later is
	// not moved over the new one.
	must(t, keyring.Set(legacy+"/a", KeyRefreshToken, "rt-stray"))
	_, k = open()
	if got, _ := k.Get("a", KeyRefreshToken); got != "rt-a" {
		t.Fatalf("second open moved again: %q", got)
	}

	// 4. The same directory through its real path uses the same entries.
	s2, k2, err := openDir(real, func(n string) *Keyring { return newKeyring(n, 0, be, newGate(), noPreflight) })
	must(t, err)
	if got, err := k2.Get("a", KeyRefreshToken); k2.Namespace() != ns || err != nil || got != "rt-a" {
		t.Fatalf("through the real path: namespace %q, %q %v; warnings %q", k2.Namespace(), got, err, s2.Warnings())
	}
}

func TestOpenDirRecordsNamespaceOnFirstWrite(t *testing.T) {
	keyring.MockInit()
	dir := filepath.Join(t.TempDir(), "new")
	s, k, err := openDir(dir, func(n string) *Keyring { return newKeyring(n, 0, goKeyring{}, newGate(), noPreflight) })
	must(t, err)
	if _, err := os.Stat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("OpenDir wrote a config file: %v", err)
	}
	must(t, s.Update(context.Background(), func(c *Config) error { return nil }))
	c, err := s.Load()
	must(t, err)
	if c.KeyringNamespace != k.Namespace() || k.Namespace() != KeyringNamespace(dir) {
		t.Fatalf("recorded %q, keyring %q", c.KeyringNamespace, k.Namespace())
	}
}

func TestOpenDirMakesDirPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX modes")
	}
	keyring.MockInit()
	tests := []struct {
		name string
		mode os.FileMode
		warn bool
	}{
		{"world writable", 0o777, true},
		{"group readable", 0o750, true},
		{"private", 0o700, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cfg")
			must(t, os.Mkdir(dir, 0o700))
			must(t, os.Chmod(dir, tt.mode))
			s, _, err := openDir(dir, func(n string) *Keyring { return newKeyring(n, 0, goKeyring{}, newGate(), noPreflight) })
			must(t, err)
			fi, err := os.Stat(dir)
			must(t, err)
			if fi.Mode().Perm() != 0o700 {
				t.Fatalf("mode %04o after OpenDir", fi.Mode().Perm())
			}
			w := strings.Join(s.Warnings(), "\n")
			if tt.warn != strings.Contains(w, "it is now private (0700)") {
				t.Fatalf("warnings %q", w)
			}
		})
	}
	t.Run("config file readable by others", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "cfg")
		writeConfig(t, dir, "a")
		must(t, os.Chmod(filepath.Join(dir, "config.json"), 0o644))
		s, _, err := openDir(dir, func(n string) *Keyring { return newKeyring(n, 0, goKeyring{}, newGate(), noPreflight) })
		must(t, err)
		fi, err := os.Stat(s.Path())
		must(t, err)
		if w := strings.Join(s.Warnings(), "\n"); fi.Mode().Perm() != 0o600 || !strings.Contains(w, "it is now private (0600)") {
			t.Fatalf("mode %04o, warnings %q", fi.Mode().Perm(), w)
		}
	})
	t.Run("a file, not a directory", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		must(t, os.WriteFile(f, nil, 0o600))
		_, _, err := openDir(f, func(n string) *Keyring { return newKeyring(n, 0, goKeyring{}, newGate(), noPreflight) })
		if err == nil || !strings.Contains(err.Error(), f) {
			t.Fatalf("OpenDir on a file: %v", err)
		}
	})
}

// TestOpenDirLockBusy: while another process holds the config lock, a
// directory already moved uses its new namespace at once, and one not yet
// moved keeps using the old one and says why.
func TestOpenDirLockBusy(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	keyring.MockInit()
	defer func(d time.Duration) { openLockWait = d }(openLockWait)
	openLockWait = 200 * time.Millisecond
	newKR := func(n string) *Keyring { return newKeyring(n, 0, goKeyring{}, newGate(), noPreflight) }
	tests := []struct {
		name     string
		migrated bool
		wantWarn bool
	}{
		{"already moved", true, false},
		{"not moved yet", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			real := filepath.Join(t.TempDir(), "cfg")
			writeConfig(t, real, "a")
			dir := filepath.Join(t.TempDir(), "link")
			must(t, os.Symlink(real, dir))
			if tt.migrated {
				_, _, err := openDir(dir, newKR)
				must(t, err)
			}
			unlock, err := flock.Lock(context.Background(), Open(real).LockPath())
			must(t, err)
			defer func() { _ = unlock() }()
			s, k, err := openDir(dir, newKR)
			must(t, err)
			want := KeyringNamespace(dir)
			if !tt.migrated {
				want = legacyNamespace(dir)
			}
			w := strings.Join(s.Warnings(), "\n")
			if k.Namespace() != want || tt.wantWarn != strings.Contains(w, "tried again next time") {
				t.Fatalf("namespace %q (want %q), warnings %q", k.Namespace(), want, w)
			}
		})
	}
}
