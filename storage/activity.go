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
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/tokendesk/tokendesk/internal/flock"
	"github.com/tokendesk/tokendesk/oauth"
)

// MaxActivitySize is the size past which an activity log is cut to its
// newest half.
const MaxActivitySize = 1 << 20

// MaxActivityText is the longest string, in bytes, an activity entry keeps:
// AppendActivity cleans a longer one with oauth.CleanText (which drops
// control characters and cuts it to oauth.MaxTextLen characters) and cuts
// the result to this many bytes on a UTF-8 boundary, so one huge server
// message can neither bloat nor empty the log.
const MaxActivityText = 1 << 10

// MaxActivityLine is the longest activity entry, in bytes, once its strings
// are cut: AppendActivity refuses a longer one and ReadActivity skips it.
const MaxActivityLine = 64 << 10

// maxActivityRead is how much of a log's end ReadActivity reads: twice the
// size at which the log is cut, so a log some other program made huge
// costs no more than that.
const maxActivityRead = 2 * MaxActivitySize

// activityLockWait bounds the wait for another process's append.
const activityLockWait = 5 * time.Second

// ActivityPath returns the activity log of a profile,
// <dir>/activity/<profile>.jsonl.
func (s *Store) ActivityPath(profile string) string {
	return filepath.Join(s.dir, "activity", profile+".jsonl")
}

func (s *Store) activityFile(profile string) (string, error) {
	if !namePattern.MatchString(profile) {
		return "", fmt.Errorf("invalid profile name %q for the activity log", profile)
	}
	return s.ActivityPath(profile), nil
}

// AppendActivity appends entry, encoded as one JSON line, to the profile's
// activity log (mode 0600). Every string in the entry longer than
// MaxActivityText bytes is cleaned and cut to it; an entry still longer than
// MaxActivityLine is refused. When the log grows past MaxActivitySize only
// its newest half is kept. A log that is not a regular file is refused; a
// symbolic link is written through. Callers pass structs that contain no
// secrets.
func (s *Store) AppendActivity(profile string, entry any) error {
	path, err := s.activityFile(profile)
	if err != nil {
		return err
	}
	line, err := json.Marshal(entry)
	if err != nil {
		return fmt.Errorf("encode activity entry: %w", err)
	}
	if line, err = capEntry(line); err != nil {
		return err
	}
	line = append(line, '\n')
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create activity directory: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), activityLockWait)
	defer cancel()
	unlock, err := flock.Lock(ctx, path+".lock")
	if err != nil {
		return fmt.Errorf("lock activity log: %w", err)
	}
	defer func() { _ = unlock() }()

	// O_NONBLOCK: opening a FIFO with no reader fails at once instead of
	// waiting; the Stat below refuses any file that is not regular.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		if info, serr := os.Stat(path); serr == nil && !info.Mode().IsRegular() {
			return fmt.Errorf("activity log %s cannot be used (%w); move it away", path, checkRegular(info))
		}
		return fmt.Errorf("open activity log: %w", err)
	}
	fi, serr := f.Stat()
	if serr == nil {
		serr = checkRegular(fi)
	}
	if serr != nil {
		_ = f.Close()
		return fmt.Errorf("activity log %s cannot be used (%w); move it away", path, serr)
	}
	_, werr := f.Write(line)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("append activity: %w", werr)
	}
	if fi.Size()+int64(len(line)) > MaxActivitySize {
		return trimActivity(path)
	}
	return nil
}

// capEntry cuts every string of a JSON entry longer than MaxActivityText
// and refuses an entry longer than MaxActivityLine afterwards.
func capEntry(line []byte) ([]byte, error) {
	if len(line) > MaxActivityText {
		var v any
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("encode activity entry: %w", err)
		}
		if v, cut := capStrings(v); cut {
			out, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("encode activity entry: %w", err)
			}
			line = out
		}
	}
	if len(line) > MaxActivityLine {
		return nil, fmt.Errorf("activity entry of %d bytes not recorded: entries are at most %d bytes", len(line), MaxActivityLine)
	}
	return line, nil
}

// capStrings cuts the strings in a decoded JSON value and reports whether
// any was cut.
func capStrings(v any) (any, bool) {
	cut := false
	switch x := v.(type) {
	case string:
		if len(x) > MaxActivityText {
			return capText(oauth.CleanText(x), MaxActivityText), true
		}
	case []any:
		for i := range x {
			var c bool
			x[i], c = capStrings(x[i])
			cut = cut || c
		}
	case map[string]any:
		for k := range x {
			var c bool
			x[k], c = capStrings(x[k])
			cut = cut || c
		}
	}
	return v, cut
}

// capText cuts s to at most n bytes on a UTF-8 boundary, ending in "…".
func capText(s string, n int) string {
	const ellipsis = "…"
	if len(s) <= n {
		return s
	}
	end := n - len(ellipsis)
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return strings.ToValidUTF8(s[:end], "") + ellipsis
}

// trimActivity keeps the newest half of the log, cut at a line boundary.
func trimActivity(path string) error {
	data, err := readTail(path, MaxActivitySize/2)
	if err != nil {
		return fmt.Errorf("trim activity log: %w", err)
	}
	// readTail starts at a line: entries are far shorter than half the
	// log, so the newest ones are always kept.
	return writeFileAtomic(path, data)
}

// ReadActivity returns up to limit entries of the profile's activity log,
// newest first (limit <= 0: all). A missing log gives no entries. Only the
// newest 2 MiB of a log are read; lines that are not valid JSON (a torn
// write) or longer than MaxActivityLine are skipped. A log that is not a
// regular file is an error naming it.
func (s *Store) ReadActivity(profile string, limit int) ([]json.RawMessage, error) {
	path, err := s.activityFile(profile)
	if err != nil {
		return nil, err
	}
	data, err := readTail(path, maxActivityRead)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read activity log %s: %w", path, err)
	}
	var out []json.RawMessage
	for len(data) > 0 && (limit <= 0 || len(out) < limit) {
		data = bytes.TrimRight(data, "\r\n")
		i := bytes.LastIndexByte(data, '\n')
		line := data[i+1:]
		data = data[:max(i, 0)]
		if len(line) > 0 && len(line) <= MaxActivityLine && json.Valid(line) {
			out = append(out, json.RawMessage(bytes.Clone(line)))
		}
	}
	return out, nil
}
