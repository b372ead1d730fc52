package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/tokendesk/tokendesk/internal/flock"
)

// legacyDefaultNamespace is the namespace builds before KeyringNamespace
// hashed every directory used for the default config directory.
const legacyDefaultNamespace = "tokendesk"

// openLockWait bounds OpenDir's wait for the config lock (a variable so
// that tests can shorten it).
var openLockWait = 10 * time.Second

// migratedKeys are the secrets OpenDir moves to a directory's new namespace.
var migratedKeys = []string{KeyRefreshToken, KeyAccessToken, KeyClientSecret}

// KeyringNamespace returns the namespace of a config directory's keyring
// entries: "tokendesk-" plus a short hash of the directory's canonical path
// (absolute, with symbolic links resolved). Every directory gets its own
// entries, so two users' default directories (two HOMEs) never share them,
// and a directory reached through a symbolic link gets the same ones as
// through its real path. For a directory that does not exist yet the
// nearest existing parent is resolved.
func KeyringNamespace(configDir string) string {
	return hashNamespace(canonicalDir(configDir))
}

func hashNamespace(path string) string {
	sum := sha256.Sum256([]byte(filepath.Clean(path)))
	return "tokendesk-" + hex.EncodeToString(sum[:6])
}

// canonicalDir returns dir made absolute with symbolic links resolved; for
// a path that does not exist (yet) it resolves the nearest existing parent
// and appends the rest.
func canonicalDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = filepath.Clean(dir)
	}
	rest := ""
	for p := abs; ; {
		if c, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(c, rest)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return abs
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// legacyNamespace returns the namespace older builds used for dir:
// "tokendesk" for the default directory when TOKENDESK_CONFIG_DIR is unset,
// otherwise a hash of the absolute (not canonical) path.
func legacyNamespace(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	if def, overridden, err := DefaultDir(); err == nil && !overridden && filepath.Clean(def) == filepath.Clean(abs) {
		return legacyDefaultNamespace
	}
	return hashNamespace(abs)
}

// OpenDir prepares a config directory and returns its Store and the Keyring
// of its namespace; the command line and the window open their directory
// with it. It creates the directory (0700) and makes a directory that other
// users may read or enter private (0700), saying so in Store.Warnings; if it
// cannot, that is the error. A config.json others may read is made 0600,
// also with a warning.
//
// The first time a directory is opened by this build, the keyring entries
// of its profiles (refresh token, access token, client secret) are moved
// from the namespace older builds used to KeyringNamespace(dir): each is
// written under the new namespace and read back, the new namespace is
// recorded in config.json (Config.KeyringNamespace), and only then are the
// old entries deleted. If the move fails the old entries stay as they are,
// the returned Keyring uses the old namespace, Store.Warnings says why, and
// the move is tried again on the next OpenDir. A directory whose recorded
// namespace differs from its current one (it was moved or renamed) has its
// entries moved the same way.
func OpenDir(dir string) (*Store, *Keyring, error) {
	return openDir(dir, func(ns string) *Keyring { return NewKeyring(ns, 0) })
}

func openDir(dir string, newKeyring func(namespace string) *Keyring) (*Store, *Keyring, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve config directory %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create config directory %s: %w", abs, err)
	}
	s := Open(abs)
	warning, err := makePrivate(abs)
	if err != nil {
		return nil, nil, err
	}
	s.warn(warning)
	s.warn(makeFilePrivate(s.Path()))
	ns := KeyringNamespace(abs)
	ctx, cancel := context.WithTimeout(context.Background(), openLockWait)
	defer cancel()
	active, warning := s.migrateKeyring(ctx, legacyNamespace(abs), ns, newKeyring)
	s.warn(warning)
	return s, newKeyring(active), nil
}

// makePrivate tightens a directory that group or others may use to 0700.
func makePrivate(dir string) (warning string, err error) {
	info, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("check config directory %s: %w", dir, err)
	}
	if !info.IsDir() {
		return "", fmt.Errorf("config directory %s is not a directory; move it away or set %s to another directory", dir, EnvConfigDir)
	}
	perm := info.Mode().Perm()
	if runtime.GOOS == "windows" || perm&0o077 == 0 {
		return "", nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("config directory %s can be used by other users (mode %04o) and could not be made private; run chmod 700 %s: %w", dir, perm, dir, err)
	}
	return fmt.Sprintf("config directory %s could be used by other users (mode %04o); it is now private (0700)", dir, perm), nil
}

// makeFilePrivate tightens a regular config file that group or others may
// read to 0600; anything else is left to Load to report. A failure is only a
// warning: the file holds no secret.
func makeFilePrivate(path string) (warning string) {
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() || runtime.GOOS == "windows" || info.Mode().Perm()&0o077 == 0 {
		return ""
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Sprintf("config file %s can be read by other users (mode %04o) and could not be made private (%v); run chmod 600 %s", path, info.Mode().Perm(), err, path)
	}
	return fmt.Sprintf("config file %s could be read by other users (mode %04o); it is now private (0600)", path, info.Mode().Perm())
}

// migrateKeyring moves the profiles' entries into namespace ns (see
// OpenDir) under the config lock, and returns the namespace to use and a
// warning for the user ("" if none).
func (s *Store) migrateKeyring(ctx context.Context, legacy, ns string, newKeyring func(string) *Keyring) (active, warning string) {
	// Once the move is recorded, every later open is this one read.
	fallback := legacy
	if c, err := s.Load(); err == nil {
		if c.KeyringNamespace == ns {
			s.setNamespace(ns)
			return ns, ""
		}
		if c.KeyringNamespace != "" {
			fallback = c.KeyringNamespace
		}
	}
	unlock, err := flock.Lock(ctx, s.LockPath())
	if err != nil {
		return fallback, fmt.Sprintf("could not lock %s to move the keyring entries to namespace %s (%v); the old entries are used and the move is tried again next time", s.LockPath(), ns, err)
	}
	defer func() { _ = unlock() }()
	_, statErr := os.Stat(s.Path())
	c, err := s.Load()
	if err != nil {
		// The damaged file is reported by the Load of whatever runs next;
		// the move waits until it is fixed.
		return legacy, ""
	}
	from := c.KeyringNamespace
	if from == ns {
		s.setNamespace(ns)
		return ns, ""
	}
	if from == "" {
		from = legacy
	}
	var moved [][2]string
	if from != ns {
		moved, err = moveEntries(c.ProfileNames(), newKeyring(from), newKeyring(ns))
		if err != nil {
			return from, fmt.Sprintf("could not move the keyring entries of %s to their new namespace %s (%v); the old entries are kept and used, and the move is tried again next time", s.dir, ns, err)
		}
	}
	if statErr == nil { // with no config file yet, the first Update records it
		c.KeyringNamespace = ns
		if err := s.save(c); err != nil {
			return from, fmt.Sprintf("could not record the new keyring namespace in %s (%v); the old entries are kept and used, and the move is tried again next time", s.Path(), err)
		}
	}
	s.setNamespace(ns)
	old := newKeyring(from)
	for _, e := range moved {
		if err := old.Delete(e[0], e[1]); err != nil {
			return ns, fmt.Sprintf("the keyring entries of %s were moved to namespace %s, but an old copy under %s could not be deleted (%v); delete it with your keyring manager (seahorse, Keychain Access or Credential Manager)", s.dir, ns, from, err)
		}
	}
	return ns, ""
}

// moveEntries copies every profile's secrets from old to nw (Set reads each
// back) and returns the (profile, key) pairs copied. An entry absent in old
// is skipped; one present in both is overwritten, since old is the one in
// use until the move is recorded.
func moveEntries(profiles []string, old, nw *Keyring) ([][2]string, error) {
	var moved [][2]string
	for _, p := range profiles {
		if !namePattern.MatchString(p) {
			continue // the keyring refuses such names; nothing can be stored
		}
		for _, k := range migratedKeys {
			v, err := old.Get(p, k)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("read the old entry: %w", err)
			}
			if err := nw.Set(p, k, v); err != nil {
				return nil, fmt.Errorf("write the new entry: %w", err)
			}
			moved = append(moved, [2]string{p, k})
		}
	}
	return moved, nil
}
