package storage

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// within fails the test if f does not return within d (a FIFO read would
// block forever).
func within[T any](t *testing.T, d time.Duration, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(d):
		t.Fatalf("still blocked after %v", d)
		panic("unreachable")
	}
}

func TestUpdateWritesThroughSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	tests := []struct {
		name   string
		target string // relative to the link's directory
		exists bool
	}{
		{"relative link to an existing file", "../real/config.json", true},
		{"dangling link", "../real/new.json", false},
		{"chain of links", "chain.json", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "cfg")
			must(t, os.MkdirAll(filepath.Join(root, "real"), 0o700))
			must(t, os.MkdirAll(dir, 0o700))
			final := filepath.Join(dir, tt.target)
			if tt.target == "chain.json" {
				final = filepath.Join(root, "real", "config.json")
				must(t, os.Symlink("../real/config.json", filepath.Join(dir, "chain.json")))
			}
			if tt.exists {
				must(t, os.WriteFile(final, []byte(`{"version":1,"profiles":[{"name":"old","environment":"demo","integration_key":"1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f"}]}`), 0o600))
			}
			s := Open(dir)
			must(t, os.Symlink(tt.target, s.Path()))
			must(t, s.Update(context.Background(), func(c *Config) error {
				c.Profiles = append(c.Profiles, testProfile("new"))
				return nil
			}))
			fi, err := os.Lstat(s.Path())
			must(t, err)
			if fi.Mode()&os.ModeSymlink == 0 {
				t.Fatal("the symbolic link was replaced by a plain file")
			}
			data, err := os.ReadFile(final)
			must(t, err)
			if !strings.Contains(string(data), `"new"`) || tt.exists != strings.Contains(string(data), `"old"`) {
				t.Fatalf("target holds %s", data)
			}
			c, err := Open(dir).Load()
			must(t, err)
			if _, ok := c.Profile("new"); !ok {
				t.Fatalf("not read back through the link: %v", c.ProfileNames())
			}
		})
	}
}

func TestActivityTrimWritesThroughSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	s := Open(t.TempDir())
	path := s.ActivityPath("p")
	must(t, os.MkdirAll(filepath.Dir(path), 0o700))
	target := filepath.Join(t.TempDir(), "elsewhere.jsonl")
	must(t, os.Symlink(target, path))
	pad := strings.Repeat("y", 1000)
	for i := range 1200 { // past MaxActivitySize, so the log is trimmed
		must(t, s.AppendActivity("p", testEntry{N: i, Note: pad}))
	}
	fi, err := os.Lstat(path)
	must(t, err)
	if fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("trimming replaced the symbolic link by a plain file")
	}
	if st, err := os.Stat(target); err != nil || st.Size() > MaxActivitySize {
		t.Fatalf("target: %v, %v", st, err)
	}
	if got, err := s.ReadActivity("p", 1); err != nil || len(got) != 1 || !strings.Contains(string(got[0]), `"n":1199`) {
		t.Fatalf("newest entry: %s %v", got, err)
	}
}

func TestReadTailStartsAtALine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	must(t, os.WriteFile(path, []byte("aaa\nbbb\nccc\n"), 0o600))
	tests := []struct {
		limit int64
		want  string
	}{
		{100, "aaa\nbbb\nccc\n"},
		{12, "aaa\nbbb\nccc\n"},
		{11, "bbb\nccc\n"}, // cut inside the first line
		{8, "bbb\nccc\n"},  // cut exactly at a line start
		{7, "ccc\n"},
		{3, ""}, // the last line alone is longer than the limit
	}
	for _, tt := range tests {
		got, err := readTail(path, tt.limit)
		if err != nil || string(got) != tt.want {
			t.Errorf("readTail(%d) = %q, %v; want %q", tt.limit, got, err, tt.want)
		}
	}
}
