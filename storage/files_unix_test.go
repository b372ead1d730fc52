//go:build unix

package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLoadRefusesIrregularConfig(t *testing.T) {
	tests := []struct {
		name    string
		make    func(t *testing.T, path string)
		wantErr error
		wantMsg string
	}{
		{"FIFO", func(t *testing.T, p string) { must(t, syscall.Mkfifo(p, 0o600)) }, ErrNotRegular, "named pipe"},
		{"symlink to /dev/zero", func(t *testing.T, p string) { must(t, os.Symlink("/dev/zero", p)) }, ErrNotRegular, "character device"},
		{"directory", func(t *testing.T, p string) { must(t, os.Mkdir(p, 0o700)) }, ErrNotRegular, "directory"},
		{"larger than the cap", func(t *testing.T, p string) {
			must(t, os.WriteFile(p, []byte(`{"version": 1}`), 0o600))
			must(t, os.Truncate(p, MaxConfigSize+1)) // sparse: costs no disk
		}, ErrTooLarge, "16 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := Open(dir)
			tt.make(t, s.Path())
			before, err := os.Lstat(s.Path())
			must(t, err)
			err = within(t, 5*time.Second, func() error { _, err := s.Load(); return err })
			var ce *ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), s.Path()) || !strings.Contains(err.Error(), tt.wantMsg) || !strings.Contains(err.Error(), "move it away") {
				t.Fatalf("Load: %v", err)
			}
			err = within(t, 5*time.Second, func() error {
				return s.Update(context.Background(), func(c *Config) error { return nil })
			})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Update: %v", err)
			}
			after, err := os.Lstat(s.Path())
			must(t, err)
			if after.Mode() != before.Mode() || !os.SameFile(before, after) {
				t.Fatal("Update replaced the file it refused to read")
			}
		})
	}
}

func TestActivityRefusesIrregularLog(t *testing.T) {
	s := Open(t.TempDir())
	path := s.ActivityPath("p")
	must(t, os.MkdirAll(filepath.Dir(path), 0o700))
	must(t, syscall.Mkfifo(path, 0o600))
	err := within(t, 5*time.Second, func() error { return s.AppendActivity("p", testEntry{N: 1}) })
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "move it away") {
		t.Fatalf("AppendActivity on a FIFO: %v", err)
	}
	// With a reader, the open succeeds and the type check refuses it.
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	must(t, err)
	defer func() { _ = r.Close() }()
	err = within(t, 5*time.Second, func() error { return s.AppendActivity("p", testEntry{N: 2}) })
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") {
		t.Fatalf("AppendActivity on a FIFO with a reader: %v", err)
	}
	err = within(t, 5*time.Second, func() error { _, err := s.ReadActivity("p", 0); return err })
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), path) {
		t.Fatalf("ReadActivity on a FIFO: %v", err)
	}
}
