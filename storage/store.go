package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/tokendesk/tokendesk/internal/flock"
	"github.com/tokendesk/tokendesk/oauth"
)

// ErrNewerVersion is wrapped by the *ConfigError of a file written by a newer
// Token Desk.
var ErrNewerVersion = errors.New("config file written by a newer Token Desk")

// ConfigError reports a config file this build cannot use. Update refuses
// to write over such a file.
type ConfigError struct {
	// Path is the config file.
	Path string
	// Line and Column locate a syntax or type error (1-based; 0 if unknown).
	Line, Column int
	// Err is the cause: a *json.SyntaxError, *json.UnmarshalTypeError,
	// ErrNewerVersion, ErrNotRegular, ErrTooLarge or another decoding error.
	Err error
}

// versionError is a format version newer than CurrentVersion.
type versionError struct{ found int }

func (e *versionError) Error() string {
	return fmt.Sprintf("format version %d, this one reads up to %d", e.found, CurrentVersion)
}

// Is makes a versionError match ErrNewerVersion.
func (e *versionError) Is(target error) bool { return target == ErrNewerVersion }

// Error names the file, the position when known, and what to do.
func (e *ConfigError) Error() string {
	if errors.Is(e.Err, ErrNewerVersion) {
		return fmt.Sprintf("config file %s was written by a newer Token Desk (%v); upgrade Token Desk, or move the file away to start over", e.Path, e.Err)
	}
	if errors.Is(e.Err, ErrNotRegular) || errors.Is(e.Err, ErrTooLarge) {
		return fmt.Sprintf("config file %s cannot be used (%v); Token Desk reads only a regular file of at most %d MiB there, so move it away to start with an empty configuration", e.Path, e.Err, MaxConfigSize>>20)
	}
	where := ""
	if e.Line > 0 {
		where = fmt.Sprintf(" at line %d, column %d", e.Line, e.Column)
	}
	return fmt.Sprintf("config file %s is damaged%s (%v); fix it, or move it away to start with an empty configuration", e.Path, where, e.Err)
}

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// Store reads and writes the config file of one config directory. It keeps
// the last decoded config and reuses it while the file on disk is the same
// file (same inode or file index, size and modification time): every save,
// by any process, renames a new file into place, so any write invalidates
// it. A refresh reads the config two or three times; with 200 profiles the
// parsing was most of a refresh's CPU (measured with the benchmarks in
// bench/).
type Store struct {
	dir string

	mu         sync.Mutex
	cached     *Config // never handed out; Load returns clones
	cachedInfo os.FileInfo
	namespace  string   // recorded by Update once OpenDir has moved the entries
	warnings   []string // from OpenDir
}

// Open returns the Store of a config directory; nothing is touched on disk
// until a write.
func Open(dir string) *Store { return &Store{dir: dir} }

// Warnings returns what OpenDir did or could not do that the user should
// know (a directory made private, keyring entries not moved), one sentence
// each; a Store from Open has none.
func (s *Store) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.warnings)
}

func (s *Store) warn(w string) {
	if w == "" {
		return
	}
	s.mu.Lock()
	s.warnings = append(s.warnings, w)
	s.mu.Unlock()
}

func (s *Store) setNamespace(ns string) {
	s.mu.Lock()
	s.namespace = ns
	s.mu.Unlock()
}

// Dir returns the config directory.
func (s *Store) Dir() string { return s.dir }

// Path returns the config file, <dir>/config.json.
func (s *Store) Path() string { return filepath.Join(s.dir, "config.json") }

// LockPath returns the lock file that serialises writers, <dir>/config.lock.
func (s *Store) LockPath() string { return filepath.Join(s.dir, "config.lock") }

// Load reads the config. A missing file gives an empty config at
// CurrentVersion (nothing is written). A damaged file, one from a newer
// Token Desk, one larger than MaxConfigSize or one that is not a regular
// file (a FIFO or a device is never opened for a blocking read) gives a
// *ConfigError. A symbolic link is followed.
func (s *Store) Load() (*Config, error) {
	info, err := os.Stat(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return NewConfig(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", s.Path(), err)
	}
	if err := checkRegular(info); err != nil {
		return nil, &ConfigError{Path: s.Path(), Err: err}
	}
	s.mu.Lock()
	if s.cached != nil && sameFileVersion(s.cachedInfo, info) {
		c := s.cached.Clone()
		s.mu.Unlock()
		return c, nil
	}
	s.mu.Unlock()
	data, _, err := readRegular(s.Path(), MaxConfigSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return NewConfig(), nil
	case errors.Is(err, ErrNotRegular) || errors.Is(err, ErrTooLarge):
		return nil, &ConfigError{Path: s.Path(), Err: err}
	case err != nil:
		return nil, fmt.Errorf("read config %s: %w", s.Path(), err)
	}
	c, err := decodeConfig(s.Path(), data)
	if err != nil {
		return nil, err
	}
	// info was taken before the read: if the file was replaced in between,
	// the next Load sees a different file and reads again.
	s.remember(c, info)
	return c, nil
}

// remember caches a decoded config for the file version info describes.
func (s *Store) remember(c *Config, info os.FileInfo) {
	s.mu.Lock()
	s.cached, s.cachedInfo = c.Clone(), info
	s.mu.Unlock()
}

// sameFileVersion reports whether two stats describe the same, unchanged file.
func sameFileVersion(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

func decodeConfig(path string, data []byte) (*Config, error) {
	c := NewConfig()
	if err := json.Unmarshal(data, c); err != nil {
		ce := &ConfigError{Path: path, Err: err}
		var off int64 = -1
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = se.Offset
		case errors.As(err, &te):
			off = te.Offset
		}
		if off >= 0 {
			// Both offsets point just past the offending byte.
			ce.Line, ce.Column = position(data, off-1)
		}
		return nil, ce
	}
	switch {
	case c.Version > CurrentVersion:
		return nil, &ConfigError{Path: path, Err: &versionError{found: c.Version}}
	case c.Version < 0:
		return nil, &ConfigError{Path: path, Err: fmt.Errorf("format version %d is not valid", c.Version)}
	case c.Version == 0:
		c.Version = CurrentVersion // hand-written without a version
	}
	canonicalize(c)
	seen := map[string]bool{}
	for _, p := range c.Profiles {
		if seen[p.Name] {
			return nil, &ConfigError{Path: path, Err: fmt.Errorf("profile %q is listed twice", p.Name)}
		}
		seen[p.Name] = true
	}
	if c.Profiles == nil {
		c.Profiles = []Profile{}
	}
	if c.Sessions == nil {
		c.Sessions = map[string]*oauth.Session{}
	}
	return c, nil
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = int(off) - bytes.LastIndexByte(before, '\n')
	if col < 1 {
		col = 1
	}
	return line, col
}

// Update runs fn on the current config under an exclusive OS lock on
// <dir>/config.lock and writes the result atomically, with every profile's
// environment in canonical form. If fn returns an error nothing is written. A config Load rejects is never overwritten.
// ctx bounds the wait for the lock.
func (s *Store) Update(ctx context.Context, fn func(*Config) error) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	unlock, err := flock.Lock(ctx, s.LockPath())
	if err != nil {
		return fmt.Errorf("lock config: %w", err)
	}
	defer func() { _ = unlock() }()
	c, err := s.Load()
	if err != nil {
		return err
	}
	if err := fn(c); err != nil {
		return err
	}
	c.Version = CurrentVersion
	canonicalize(c)
	s.mu.Lock()
	if s.namespace != "" {
		c.KeyringNamespace = s.namespace
	}
	s.mu.Unlock()
	return s.save(c)
}

// save writes c atomically: a temporary file in the same directory is
// written, synced and renamed over config.json, then the directory is synced.
func (s *Store) save(c *Config) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	if err := writeFileAtomic(s.Path(), append(data, '\n')); err != nil {
		return err
	}
	// save runs under the config lock, so no other writer can have replaced
	// the file since the rename: this stat is of the file just written.
	if info, err := os.Stat(s.Path()); err == nil {
		s.remember(c, info)
	}
	return nil
}

// writeFileAtomic replaces path, or the file a symbolic link at path points
// to (the link stays), by a new file holding data.
func writeFileAtomic(path string, data []byte) (err error) {
	path, err = writeTarget(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	// CreateTemp makes the file 0600, which the rename keeps.
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. Windows cannot open a directory
// for syncing (and its rename is durable on its own), so it is skipped there;
// a failure elsewhere is ignored because the data is already in place.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
