package testbrowser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// chromiumPaths are tried in order; Debian's wrapper script is last because
// it prints noise (shared/test-environment.md §5).
var chromiumPaths = []string{"/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome"}

// FindChromium returns a Chromium binary. When none is installed the test
// is skipped, unless TOKENDESK_REQUIRE_BROWSER=1 (set by the project's test
// command), where it fails: a skipped browser test must not pass for one
// that ran.
func FindChromium(t testing.TB) string {
	t.Helper()
	for _, p := range chromiumPaths {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("TOKENDESK_REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium found, and TOKENDESK_REQUIRE_BROWSER=1: install the chromium package")
	}
	t.Skip("no Chromium installed (set TOKENDESK_REQUIRE_BROWSER=1 to make this a failure)")
	return ""
}

// Chromium is a running headless browser with a throwaway profile.
type Chromium struct {
	cmd *exec.Cmd
	dir string
}

// StartChromium opens url in a new headless Chromium whose profile, home and
// temp files live in a fresh directory, and returns once it has started.
// Stop it with Stop; it never exits by itself.
func StartChromium(ctx context.Context, bin, url string) (*Chromium, error) {
	dir, err := os.MkdirTemp("", "tokendesk-chromium-")
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+filepath.Join(dir, "profile"), url)
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "TMPDIR="+dir)
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	return &Chromium{cmd: cmd, dir: dir}, nil
}

// Stop kills the browser and all its helper processes and removes its files.
func (c *Chromium) Stop() error {
	err := killProcessGroup(c.cmd)
	_ = c.cmd.Wait()
	if rerr := os.RemoveAll(c.dir); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		return rerr
	}
	return err
}
