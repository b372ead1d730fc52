package storage

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// MaxConfigSize is the largest config file Load reads: 16 MiB, far more
// than thousands of profiles need. A larger file is reported, not read.
const MaxConfigSize = 16 << 20

// maxLinkHops bounds the symbolic links followed to find a write target.
const maxLinkHops = 40

// ErrNotRegular is wrapped by the errors for a config file or activity log
// that is not a regular file (a FIFO, a device such as /dev/zero, a
// directory or a socket). Such a file is never read nor replaced.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by the error for a config file larger than
// MaxConfigSize.
var ErrTooLarge = errors.New("file too large")

// kind names the type of a file that is not regular.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

// checkRegular returns an error wrapping ErrNotRegular unless info is of a
// regular file.
func checkRegular(info fs.FileInfo) error {
	if info.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("%s: %w", kind(info.Mode()), ErrNotRegular)
}

// openRegular opens path for reading if it is a regular file. The type is
// checked before opening, and the file is opened non-blocking and checked
// again, so a FIFO swapped in between cannot block the open or the read.
// It returns an error wrapping fs.ErrNotExist for a missing file.
func openRegular(path string) (*os.File, fs.FileInfo, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if err := checkRegular(info); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err = f.Stat()
	if err == nil {
		err = checkRegular(info)
	}
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// readRegular reads a regular file of at most limit bytes; see openRegular.
func readRegular(path string, limit int64) ([]byte, fs.FileInfo, error) {
	f, info, err := openRegular(path)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = f.Close() }()
	if info.Size() > limit {
		return nil, nil, fmt.Errorf("%d bytes, more than the %d accepted: %w", info.Size(), limit, ErrTooLarge)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > limit {
		return nil, nil, fmt.Errorf("more than the %d bytes accepted: %w", limit, ErrTooLarge)
	}
	return data, info, nil
}

// readTail reads the last limit bytes (at most) of a regular file, from
// the start of a line: when the file is longer, the partial line the cut
// lands in is dropped. See openRegular.
func readTail(path string, limit int64) ([]byte, error) {
	f, info, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	off := info.Size() - limit
	if off > 0 {
		// Read one byte more, to see whether the cut is at a line start.
		if _, err := f.Seek(off-1, io.SeekStart); err != nil {
			return nil, err
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil || off <= 0 {
		return data, err
	}
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return nil, nil
	}
	return data[i+1:], nil
}

// writeTarget returns the file a write to path must replace: path itself,
// or, when path is a symbolic link, the file it points to (resolved once,
// through at most maxLinkHops links, even if that file does not exist yet),
// so that writing never replaces a link by a plain file.
func writeTarget(path string) (string, error) {
	for range maxLinkHops {
		info, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", fmt.Errorf("check %s: %w", path, err)
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			if !info.Mode().IsRegular() {
				return "", fmt.Errorf("%s is %s, not a regular file; move it away: %w", path, kind(info.Mode()), ErrNotRegular)
			}
			return path, nil
		}
		to, err := os.Readlink(path)
		if err != nil {
			return "", fmt.Errorf("read the symbolic link %s: %w", path, err)
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}
