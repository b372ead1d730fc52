package autostart

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDesktopEntryExec(t *testing.T) {
	tests := []struct {
		name, exe, dir string
		want           []string
	}{
		{"plain", "/usr/bin/tokendesk", "", []string{"/usr/bin/tokendesk", "--background"}},
		{"config dir carried", "/opt/td/tokendesk", "/home/a/td conf", []string{"env", "TOKENDESK_CONFIG_DIR=/home/a/td conf", "/opt/td/tokendesk", "--background"}},
		{"reserved characters", "/home/o'neil/my apps/token$desk", `/tmp/a"b\c%d` + "`x", []string{"env", `TOKENDESK_CONFIG_DIR=/tmp/a"b\c%d` + "`x", "/home/o'neil/my apps/token$desk", "--background"}},
		{"percent without quotes", "/opt/100%/tokendesk", "", []string{"/opt/100%/tokendesk", "--background"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := DesktopEntry(tt.exe, tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			exec := DesktopExec(c)
			if got := ExecArgs(exec); !slices.Equal(got, tt.want) {
				t.Fatalf("Exec=%s parses as %q, want %q", exec, got, tt.want)
			}
			if strings.Count(exec, "%") != 2*strings.Count(strings.Join(tt.want, ""), "%") {
				t.Errorf("Exec=%s: a %% is not doubled", exec)
			}
			for _, line := range []string{"[Desktop Entry]", "Type=Application", "Name=Token Desk", "X-GNOME-Autostart-enabled=true"} {
				if !strings.Contains(c, line+"\n") {
					t.Errorf("entry lacks %q", line)
				}
			}
		})
	}
	if _, err := DesktopEntry("/usr/bin/tokendesk", "/tmp/a\nExec=evil"); err == nil {
		t.Error("a newline in the config dir was accepted")
	}
}

func TestLaunchAgentPlist(t *testing.T) {
	tests := []struct {
		name, exe, dir string
		wantEnv        bool
	}{
		{"plain", "/Applications/Token Desk.app/Contents/MacOS/tokendesk", "", false},
		{"config dir with markup", "/usr/local/bin/tokendesk", "/Users/a/<td>&co", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LaunchAgentPlist(tt.exe, tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			// Decode the plist generically: the strings in document order.
			d := xml.NewDecoder(strings.NewReader(c))
			d.Strict = false
			var texts []string
			for {
				tok, err := d.Token()
				if err != nil {
					break
				}
				if cd, ok := tok.(xml.CharData); ok && strings.TrimSpace(string(cd)) != "" {
					texts = append(texts, string(cd))
				}
			}
			want := []string{"Label", AppID, "ProgramArguments", tt.exe, BackgroundFlag}
			if tt.wantEnv {
				want = append(want, "EnvironmentVariables", EnvConfigDir, tt.dir)
			}
			want = append(want, "RunAtLoad", "ProcessType", "Interactive")
			if !slices.Equal(texts, want) {
				t.Fatalf("plist strings %q, want %q", texts, want)
			}
		})
	}
}

func TestWindowsCommand(t *testing.T) {
	tests := []struct {
		name, exe, dir, want string
		wantErr              bool
	}{
		{"plain", `C:\Program Files\Token Desk\tokendesk.exe`, "", `"C:\Program Files\Token Desk\tokendesk.exe" --background`, false},
		{"config dir", `C:\td\tokendesk.exe`, `D:\conf dir`, `cmd.exe /d /c "set "TOKENDESK_CONFIG_DIR=D:\conf dir" && start "" "C:\td\tokendesk.exe" --background"`, false},
		{"cmd metacharacter", `C:\td\tokendesk.exe`, `D:\a&b`, "", true},
		{"percent", `C:\td\tokendesk.exe`, `D:\%TEMP%`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WindowsCommand(tt.exe, tt.dir)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("got %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestLocation(t *testing.T) {
	tests := []struct {
		name string
		env  Env
		want string
	}{
		{"linux default", Env{GOOS: "linux", Home: "/home/a", Getenv: func(string) string { return "" }}, "/home/a/.config/autostart/io.tokendesk.app.desktop"},
		{"linux XDG_CONFIG_HOME", Env{GOOS: "linux", Home: "/home/a", Getenv: func(k string) string {
			if k == "XDG_CONFIG_HOME" {
				return "/x/cfg"
			}
			return ""
		}}, "/x/cfg/autostart/io.tokendesk.app.desktop"},
		{"darwin", Env{GOOS: "darwin", Home: "/Users/a", Getenv: func(string) string { return "" }}, "/Users/a/Library/LaunchAgents/io.tokendesk.app.plist"},
		{"windows", Env{GOOS: "windows", Getenv: func(string) string { return "" }}, `HKCU\Software\Microsoft\Windows\CurrentVersion\Run\TokenDesk`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := tt.env.Location(); err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestEnableStatusDisable(t *testing.T) {
	for _, goos := range []string{"linux", "darwin"} {
		t.Run(goos, func(t *testing.T) {
			home := t.TempDir()
			e := Env{GOOS: goos, Home: home, Getenv: func(string) string { return "" }}
			if on, _, err := e.Status(); on || err != nil {
				t.Fatalf("status before enable: %v %v", on, err)
			}
			if err := e.Enable("tokendesk", ""); err == nil {
				t.Fatal("a relative binary path was accepted")
			}
			if err := e.Enable("/opt/td/tokendesk", "/home/a/conf"); err != nil {
				t.Fatal(err)
			}
			on, where, err := e.Status()
			if !on || err != nil || !strings.HasPrefix(where, home) {
				t.Fatalf("status after enable: %v %q %v", on, where, err)
			}
			b, _ := os.ReadFile(where)
			if !strings.Contains(string(b), "/opt/td/tokendesk") || !strings.Contains(string(b), "/home/a/conf") {
				t.Fatalf("entry content:\n%s", b)
			}
			if err := e.Disable(); err != nil {
				t.Fatal(err)
			}
			if on, _, _ := e.Status(); on {
				t.Fatal("still on after disable")
			}
			if err := e.Disable(); err != nil {
				t.Fatalf("disable twice: %v", err)
			}
		})
	}
}

func TestStatusHonoursDisabledEntry(t *testing.T) {
	home := t.TempDir()
	e := Env{GOOS: "linux", Home: home, Getenv: func(string) string { return "" }}
	where, _ := e.Location()
	if err := os.MkdirAll(filepath.Dir(where), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		content string
		on      bool
	}{
		{"[Desktop Entry]\nExec=/x --background\n", true},
		{"[Desktop Entry]\nExec=/x --background\nHidden=true\n", false},
		{"[Desktop Entry]\nExec=/x --background\nX-GNOME-Autostart-enabled=false\n", false},
	} {
		if err := os.WriteFile(where, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if on, _, err := e.Status(); on != c.on || err != nil {
			t.Errorf("%q: on=%v err=%v, want %v", c.content, on, err, c.on)
		}
	}
}
