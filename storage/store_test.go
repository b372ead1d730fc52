package storage

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
)

func testProfile(name string) Profile {
	return Profile{Name: name, Environment: "demo", IntegrationKey: "1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f"}
}

func TestLoadMissingFile(t *testing.T) {
	s := Open(filepath.Join(t.TempDir(), "cfg"))
	c, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != CurrentVersion || len(c.Profiles) != 0 || c.Sessions == nil {
		t.Fatalf("empty config: %+v", c)
	}
	if _, err := os.Stat(s.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load created the directory: %v", err)
	}
}

func TestUpdateRoundTripAndModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	s := Open(dir)
	if s.Path() != filepath.Join(dir, "config.json") {
		t.Fatalf("Path %s", s.Path())
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	err := s.Update(context.Background(), func(c *Config) error {
		c.Profiles = append(c.Profiles, testProfile("prod"))
		c.Settings.CurrentProfile = "prod"
		c.Settings.RefreshLead = Duration(5 * time.Minute)
		c.Sessions["prod"] = &oauth.Session{AccessExpiresAt: now, ConsentedAt: now, RequestedScopes: []string{"signature"}}
		return nil
	})
	must(t, err)
	c, err := s.Load()
	must(t, err)
	if p, ok := c.Profile("prod"); !ok || p.IntegrationKey != testProfile("").IntegrationKey {
		t.Fatalf("profile lost: %+v", c.Profiles)
	}
	if !c.Sessions["prod"].AccessExpiresAt.Equal(now) || c.Settings.CurrentProfile != "prod" {
		t.Fatalf("session or settings lost: %+v", c)
	}
	if e := c.Settings.Effective(); e.RefreshLead != Duration(5*time.Minute) || e.ClipboardClear != Duration(30*time.Second) ||
		e.WarnHorizon != Duration(72*time.Hour) || e.KeepAlive != Duration(24*time.Hour) {
		t.Fatalf("effective settings %+v", e)
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{dir: 0o700, s.Path(): 0o600} {
			fi, err := os.Stat(path)
			must(t, err)
			if fi.Mode().Perm() != want {
				t.Errorf("%s mode %v, want %v", path, fi.Mode().Perm(), want)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	must(t, err)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	data, err := os.ReadFile(s.Path())
	must(t, err)
	if !strings.Contains(string(data), `"version": 1`) || !strings.Contains(string(data), `"refresh_lead": "5m0s"`) {
		t.Errorf("file content:\n%s", data)
	}
}

func TestConfigNeverContainsTokens(t *testing.T) {
	s := Open(t.TempDir())
	const at, rt = "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.ACCESS-TOKEN-BYTES", "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.REFRESH-TOKEN-BYTES"
	sess := &oauth.Session{AccessToken: at, RefreshToken: rt, TokenType: "Bearer", RequestedScopes: []string{"signature", "extended"}}
	must(t, s.Update(context.Background(), func(c *Config) error {
		c.Profiles = append(c.Profiles, testProfile("p"))
		c.Sessions["p"] = sess
		return nil
	}))
	data, err := os.ReadFile(s.Path())
	must(t, err)
	for _, secret := range []string{at, rt, "ACCESS-TOKEN-BYTES", "REFRESH-TOKEN-BYTES"} {
		if strings.Contains(string(data), secret) {
			t.Fatalf("config file contains token bytes %q:\n%s", secret, data)
		}
	}
	if !strings.Contains(string(data), `"token_type": "Bearer"`) {
		t.Fatalf("session metadata missing:\n%s", data)
	}
	raw, err := json.Marshal(NewConfig())
	must(t, err)
	if strings.Contains(string(raw), "null") {
		t.Errorf("empty config marshals nulls: %s", raw)
	}
}

func TestUpdateErrorWritesNothing(t *testing.T) {
	s := Open(t.TempDir())
	must(t, s.Update(context.Background(), func(c *Config) error { c.Profiles = append(c.Profiles, testProfile("a")); return nil }))
	before, err := os.ReadFile(s.Path())
	must(t, err)
	boom := errors.New("boom")
	err = s.Update(context.Background(), func(c *Config) error {
		c.Profiles = nil
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update: %v", err)
	}
	after, err := os.ReadFile(s.Path())
	must(t, err)
	if string(before) != string(after) {
		t.Fatal("a failed Update changed the file")
	}
}

func TestDamagedConfig(t *testing.T) {
	tests := []struct {
		name       string
		content    string
		line, col  int
		wantInText string
	}{
		{"syntax", "{\n  \"version\": 1,\n  \"profiles\": [}\n", 3, 16, "invalid character"},
		{"type", "{\n  \"version\": 1,\n  \"profiles\": [{\"name\": 7}]\n}\n", 3, 25, "profiles"},
		{"bad duration", `{"settings": {"keep_alive": "forever"}}`, 0, 0, "forever"},
		{"empty", "", 1, 1, "unexpected end"},
		{"trailing garbage", "{}\n}", 2, 1, "invalid character"},
		{"duplicate profile", `{"profiles": [{"name": "a"}, {"name": "a"}]}`, 0, 0, "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Open(t.TempDir())
			must(t, os.WriteFile(s.Path(), []byte(tt.content), 0o600))
			_, err := s.Load()
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Load: %T %v, want *ConfigError", err, err)
			}
			if ce.Path != s.Path() || ce.Line != tt.line || ce.Column != tt.col {
				t.Errorf("position %s:%d:%d, want line %d column %d", ce.Path, ce.Line, ce.Column, tt.line, tt.col)
			}
			msg := err.Error()
			for _, w := range []string{s.Path(), tt.wantInText, "fix it, or move it away"} {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			err = s.Update(context.Background(), func(c *Config) error { return nil })
			if !errors.As(err, &ce) {
				t.Fatalf("Update over a damaged file: %v", err)
			}
			if got, _ := os.ReadFile(s.Path()); string(got) != tt.content {
				t.Fatal("Update overwrote a damaged file")
			}
		})
	}
}

func TestNewerVersionRefused(t *testing.T) {
	s := Open(t.TempDir())
	content := `{"version": 2, "profiles": [], "future_field": true}`
	must(t, os.WriteFile(s.Path(), []byte(content), 0o600))
	_, err := s.Load()
	if !errors.Is(err, ErrNewerVersion) || !strings.Contains(err.Error(), "written by a newer Token Desk") {
		t.Fatalf("Load: %v", err)
	}
	if err := s.Update(context.Background(), func(*Config) error { return nil }); !errors.Is(err, ErrNewerVersion) {
		t.Fatalf("Update: %v", err)
	}
	if got, _ := os.ReadFile(s.Path()); string(got) != content {
		t.Fatal("file from a newer version overwritten")
	}
}

func TestUnversionedFileAccepted(t *testing.T) {
	s := Open(t.TempDir())
	must(t, os.WriteFile(s.Path(), []byte(`{"profiles": [{"name": "a", "environment": "demo"}]}`), 0o600))
	c, err := s.Load()
	if err != nil || c.Version != CurrentVersion || len(c.Profiles) != 1 {
		t.Fatalf("Load: %+v %v", c, err)
	}
}

func TestUpdateConcurrent(t *testing.T) {
	s := Open(t.TempDir())
	var wg sync.WaitGroup
	const n = 10
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := s.Update(ctx, func(c *Config) error {
				c.Settings.KeepAlive += Duration(time.Hour) // read-modify-write
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	c, err := s.Load()
	must(t, err)
	if c.Settings.KeepAlive != Duration(n*time.Hour) {
		t.Fatalf("lost updates: keep_alive %v, want %v", c.Settings.KeepAlive, n*time.Hour)
	}
}

func TestUpdateHonoursContext(t *testing.T) {
	s := Open(t.TempDir())
	must(t, s.Update(context.Background(), func(*Config) error { return nil }))
	release := make(chan struct{})
	held, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Update(context.Background(), func(*Config) error { close(held); <-release; return nil })
	}()
	<-held
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := s.Update(ctx, func(*Config) error { t.Error("fn ran without the lock"); return nil })
	close(release)
	<-done
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Update with a held lock: %v", err)
	}
}

func TestDefaultDir(t *testing.T) {
	d := t.TempDir()
	t.Setenv(EnvConfigDir, d)
	dir, over, err := DefaultDir()
	if err != nil || dir != d || !over {
		t.Fatalf("override: %q %v %v", dir, over, err)
	}
	t.Setenv(EnvConfigDir, "")
	dir, over, err = DefaultDir()
	if err == nil && (over || filepath.Base(dir) != "tokendesk") {
		t.Fatalf("default: %q %v", dir, over)
	}
}
