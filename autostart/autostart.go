// Package autostart switches "start Token Desk at login, in the background"
// on and off: an XDG autostart entry on Linux and other Unix desktops, a
// LaunchAgent on macOS, and a value under HKCU\...\Run on Windows. Each runs
// this binary's absolute path with --background and carries
// TOKENDESK_CONFIG_DIR when it is set. It is never switched on silently:
// only Enable writes an entry, and no entry holds a token.
package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// AppID names the entry: the desktop file, the LaunchAgent label and the
// Run value.
const AppID = "io.tokendesk.app"

// BackgroundFlag is the argument the entry passes to the binary.
const BackgroundFlag = "--background"

// EnvConfigDir is the variable carried into the entry when set.
const EnvConfigDir = "TOKENDESK_CONFIG_DIR"

// Env is what the package reads of the outside world; tests replace it.
type Env struct {
	// GOOS selects the mechanism ("linux", "darwin", "windows", ...).
	GOOS string
	// Getenv reads an environment variable.
	Getenv func(string) string
	// Home is the user's home directory.
	Home string
}

// DefaultEnv is the running system.
func DefaultEnv() (Env, error) {
	home, err := os.UserHomeDir()
	if err != nil && runtime.GOOS != "windows" {
		return Env{}, fmt.Errorf("find your home directory: %w", err)
	}
	return Env{GOOS: runtime.GOOS, Getenv: os.Getenv, Home: home}, nil
}

// Executable returns this binary's absolute path with symlinks resolved, the
// path an entry runs.
func Executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the tokendesk binary: %w", err)
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return filepath.Abs(exe)
}

// Location returns where the entry lives: a file path, or the registry
// value's full name on Windows.
func (e Env) Location() (string, error) {
	switch e.GOOS {
	case "windows":
		return `HKCU\` + runKey + `\` + runValue, nil
	case "darwin":
		if e.Home == "" {
			return "", errors.New("no home directory: cannot place the LaunchAgent")
		}
		return filepath.Join(e.Home, "Library", "LaunchAgents", AppID+".plist"), nil
	}
	base := e.Getenv("XDG_CONFIG_HOME")
	if base == "" || !filepath.IsAbs(base) {
		if e.Home == "" {
			return "", errors.New("no home directory and no XDG_CONFIG_HOME: cannot place the autostart entry")
		}
		base = filepath.Join(e.Home, ".config")
	}
	return filepath.Join(base, "autostart", AppID+".desktop"), nil
}

// Content returns the entry's content for a binary and a config dir ("" when
// TOKENDESK_CONFIG_DIR is not set): the desktop file, the plist, or the Run
// value's command line.
func (e Env) Content(exe, configDir string) (string, error) {
	if !isAbs(e.GOOS, exe) {
		return "", fmt.Errorf("the binary path %q is not absolute", exe)
	}
	switch e.GOOS {
	case "windows":
		return WindowsCommand(exe, configDir)
	case "darwin":
		return LaunchAgentPlist(exe, configDir)
	}
	return DesktopEntry(exe, configDir)
}

// Enable writes the entry for exe, carrying configDir when it is not empty.
func (e Env) Enable(exe, configDir string) error {
	content, err := e.Content(exe, configDir)
	if err != nil {
		return err
	}
	where, err := e.Location()
	if err != nil {
		return err
	}
	if e.GOOS == "windows" {
		if err := setRunValue(content); err != nil {
			return fmt.Errorf("write %s: %w", where, err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(where), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(where), err)
	}
	tmp := where + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", where, err)
	}
	if err := os.Rename(tmp, where); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", where, err)
	}
	return nil
}

// Disable removes the entry; removing a missing one is not an error.
func (e Env) Disable() error {
	where, err := e.Location()
	if err != nil {
		return err
	}
	if e.GOOS == "windows" {
		if err := deleteRunValue(); err != nil {
			return fmt.Errorf("remove %s: %w", where, err)
		}
		return nil
	}
	if err := os.Remove(where); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", where, err)
	}
	return nil
}

// Status reports whether the entry exists (and is not disabled inside), and
// where it is or would be.
func (e Env) Status() (on bool, where string, err error) {
	where, err = e.Location()
	if err != nil {
		return false, "", err
	}
	if e.GOOS == "windows" {
		v, ok, err := getRunValue()
		if err != nil {
			return false, where, fmt.Errorf("read %s: %w", where, err)
		}
		return ok && v != "", where, nil
	}
	b, err := os.ReadFile(where)
	if errors.Is(err, os.ErrNotExist) {
		return false, where, nil
	}
	if err != nil {
		return false, where, fmt.Errorf("read %s: %w", where, err)
	}
	if e.GOOS != "darwin" && desktopDisabled(string(b)) {
		return false, where, nil
	}
	return true, where, nil
}

// Status reports the running system's entry; see Env.Status.
func Status() (on bool, where string, err error) {
	e, err := DefaultEnv()
	if err != nil {
		return false, "", err
	}
	return e.Status()
}

// Enable writes the running system's entry for exe (see Executable),
// carrying configDir when not empty.
func Enable(exe, configDir string) error {
	e, err := DefaultEnv()
	if err != nil {
		return err
	}
	return e.Enable(exe, configDir)
}

// EnableSelf switches autostart on for this binary (see Executable) and the
// configuration in TOKENDESK_CONFIG_DIR, if set, and returns where the entry
// is. It is what `tokendesk autostart on` and the window's switch call.
func EnableSelf() (where, configDir string, err error) {
	exe, err := Executable()
	if err != nil {
		return "", "", err
	}
	if d := os.Getenv(EnvConfigDir); d != "" {
		if configDir, err = filepath.Abs(d); err != nil {
			return "", "", fmt.Errorf("resolve %s=%q: %w", EnvConfigDir, d, err)
		}
	}
	e, err := DefaultEnv()
	if err != nil {
		return "", "", err
	}
	if err := e.Enable(exe, configDir); err != nil {
		return "", "", err
	}
	where, err = e.Location()
	return where, configDir, err
}

// Disable removes the running system's entry.
func Disable() error {
	e, err := DefaultEnv()
	if err != nil {
		return err
	}
	return e.Disable()
}

// isAbs tells whether p is absolute on goos.
func isAbs(goos, p string) bool {
	if goos == "windows" {
		return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`)
	}
	return strings.HasPrefix(p, "/")
}

// checkText refuses control characters, which no entry format can carry.
func checkText(what, s string) error {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("the %s %q contains a control character; an autostart entry cannot carry it", what, s)
		}
	}
	return nil
}
