package agent

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestEndpointFor(t *testing.T) {
	base := t.TempDir()
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(base, link); err != nil {
		t.Fatal(err)
	}
	env := func(rt string) func(string) string {
		return func(k string) string {
			if k == EnvRuntimeDir {
				return rt
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		dir     string
		rt      string
		wantDir string
	}{
		{"runtime dir", base, "/run/user/1000", "/run/user/1000/tokendesk"},
		{"no runtime dir: the config dir", base, "", filepath.Join(base, "run")},
		{"relative runtime dir is ignored", base, "rel", filepath.Join(base, "run")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := EndpointFor(tt.dir, env(tt.rt))
			if runtime.GOOS == "windows" {
				if !strings.HasPrefix(ep.Address, `\\.\pipe\tokendesk-`) {
					t.Fatalf("pipe %q", ep.Address)
				}
				return
			}
			if ep.Dir != tt.wantDir || filepath.Dir(ep.Address) != tt.wantDir || !strings.HasSuffix(ep.Address, ".sock") {
				t.Fatalf("endpoint %+v, want dir %s", ep, tt.wantDir)
			}
		})
	}
	if ConfigKey(base) != ConfigKey(link) {
		t.Error("the same config dir through a symlink gets another endpoint")
	}
	if ConfigKey(base) == ConfigKey(t.TempDir()) {
		t.Error("two config dirs share an endpoint")
	}
}

func TestPipeSDDL(t *testing.T) {
	tests := []struct{ sid, want string }{
		{"S-1-5-21-1-2-3-1001", "D:P(D;;GA;;;NU)(A;;GA;;;S-1-5-21-1-2-3-1001)"},
	}
	for _, tt := range tests {
		if got := PipeSDDL(tt.sid); got != tt.want {
			t.Errorf("PipeSDDL(%s) = %s", tt.sid, got)
		}
	}
}
