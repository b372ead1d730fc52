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
	"time"

	"github.com/tokendesk/tokendesk/internal/flock"
)

// MaxActivitySize is the size past which an activity log is cut to its
// newest half.
const MaxActivitySize = 1 << 20

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
// activity log (mode 0600). When the log grows past MaxActivitySize only
// its newest half is kept. Callers pass structs that contain no secrets.
func (s *Store) AppendActivity(profile string, entry any) error {
	path, err := s.activityFile(profile)
	if err != nil {
		return err
	}
	line, err := json.Marshal(entry)
	if err != nil {
		return fmt.Errorf("encode activity entry: %w", err)
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

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open activity log: %w", err)
	}
	_, werr := f.Write(line)
	fi, serr := f.Stat()
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("append activity: %w", werr)
	}
	if serr == nil && fi.Size() > MaxActivitySize {
		return trimActivity(path)
	}
	return nil
}

// trimActivity keeps the newest half of the log, cut at a line boundary.
func trimActivity(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("trim activity log: %w", err)
	}
	cut := len(data) - MaxActivitySize/2
	if cut <= 0 {
		return nil
	}
	i := bytes.IndexByte(data[cut:], '\n')
	if i < 0 {
		data = nil
	} else {
		data = data[cut+i+1:]
	}
	return writeFileAtomic(path, data)
}

// ReadActivity returns up to limit entries of the profile's activity log,
// newest first (limit <= 0: all). A missing log gives no entries; lines that
// are not valid JSON (a torn write) are skipped.
func (s *Store) ReadActivity(profile string, limit int) ([]json.RawMessage, error) {
	path, err := s.activityFile(profile)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read activity log: %w", err)
	}
	var out []json.RawMessage
	for len(data) > 0 && (limit <= 0 || len(out) < limit) {
		data = bytes.TrimRight(data, "\r\n")
		i := bytes.LastIndexByte(data, '\n')
		line := data[i+1:]
		data = data[:max(i, 0)]
		if len(line) > 0 && json.Valid(line) {
			out = append(out, json.RawMessage(bytes.Clone(line)))
		}
	}
	return out, nil
}

// RemoveActivity deletes the profile's activity log; a missing one is fine.
func (s *Store) RemoveActivity(profile string) error {
	path, err := s.activityFile(profile)
	if err != nil {
		return err
	}
	for _, p := range []string{path, path + ".lock"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove activity log: %w", err)
		}
	}
	return nil
}
