//go:build !windows

package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/tokendesk/tokendesk/internal/flock"
)

// listen creates the endpoint's directory (0700) and socket (0600). The
// socket's lock file is held for the listener's life, so a live server is
// told apart from a stale socket left by a killed one: the kernel drops the
// lock with the process, and the next server removes the stale socket.
func listen(ep Endpoint) (net.Listener, error) {
	if err := ensurePrivateDir(ep.Dir); err != nil {
		return nil, err
	}
	unlock, ok, err := flock.TryLock(ep.Address + ".lock")
	if err != nil {
		return nil, fmt.Errorf("lock the local endpoint: %w", err)
	}
	if !ok {
		return nil, ErrRunning
	}
	if err := os.Remove(ep.Address); err != nil && !errors.Is(err, fs.ErrNotExist) {
		_ = unlock()
		return nil, fmt.Errorf("remove the stale socket %s: %w", ep.Address, err)
	}
	old := syscall.Umask(0o177)
	l, err := net.Listen("unix", ep.Address)
	syscall.Umask(old)
	if err != nil {
		_ = unlock()
		return nil, fmt.Errorf("listen on %s: %w", ep.Address, err)
	}
	if err := os.Chmod(ep.Address, 0o600); err != nil {
		_ = l.Close()
		_ = unlock()
		return nil, fmt.Errorf("restrict the socket %s: %w", ep.Address, err)
	}
	return &lockedListener{Listener: l, unlock: unlock}, nil
}

// ensurePrivateDir makes dir (mode 0700) unless it exists; an existing one
// must be a real directory owned by this user, and is restricted to 0700.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the socket directory: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("check the socket directory: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || (ok && int(st.Uid) != os.Getuid()) {
		return fmt.Errorf("the socket directory %s is not a directory owned by you; remove it and try again", dir)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("restrict the socket directory %s: %w", dir, err)
		}
	}
	return nil
}

// lockedListener releases the endpoint's lock after closing.
type lockedListener struct {
	net.Listener
	unlock func() error
}

func (l *lockedListener) Close() error {
	err := l.Listener.Close()
	_ = l.unlock()
	return err
}

// dial connects to a Unix socket within timeout.
func dial(ep Endpoint, timeout time.Duration) (net.Conn, error) {
	return net.DialTimeout("unix", ep.Address, timeout)
}
