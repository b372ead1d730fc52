// Package flock provides an exclusive, advisory, inter-process lock on a lock
// file: flock(2) on Unix and LockFileEx on Windows.
//
// The lock belongs to an open file, so two Lock calls in one process exclude
// each other as well as two processes do. The operating system drops the lock
// when the holder exits or crashes, so a stale lock file never blocks anyone;
// the file itself is left in place and may be reused.
package flock

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PollInterval is how often Lock retries while another holder has the lock.
const PollInterval = 20 * time.Millisecond

// ErrUnsupported is returned on platforms without a file-locking primitive.
var ErrUnsupported = errors.New("file locking is not supported on this platform")

// Lock takes the exclusive lock on the file at path, creating it with mode
// 0600 if it is missing (its directory must exist). It waits until the lock
// is free or ctx is done; in that case it returns an error wrapping ctx.Err()
// and holds nothing. The returned unlock releases the lock and closes the
// file; calling it more than once is harmless.
func Lock(ctx context.Context, path string) (unlock func() error, err error) {
	t := time.NewTicker(PollInterval)
	defer t.Stop()
	for {
		unlock, ok, err := TryLock(path)
		if err != nil {
			return nil, err
		}
		if ok {
			// Do not hand out a lock the caller has already given up on.
			if ctx.Err() != nil {
				_ = unlock()
				return nil, fmt.Errorf("wait for lock %s: %w", path, ctx.Err())
			}
			return unlock, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for lock %s: %w", path, ctx.Err())
		case <-t.C:
		}
	}
}

// TryLock tries once to take the exclusive lock on the file at path (created
// with mode 0600 if missing). ok is false, with a nil error, when someone
// else holds it.
func TryLock(path string) (unlock func() error, ok bool, err error) {
	u, ok, err := tryLock(path)
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", path, err)
	}
	return u, ok, nil
}
