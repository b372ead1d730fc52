package autostart

import (
	"fmt"
	"strings"
)

// runKey and runValue name the Windows Run entry under HKEY_CURRENT_USER.
const (
	runKey   = `Software\Microsoft\Windows\CurrentVersion\Run`
	runValue = "TokenDesk"
)

// WindowsCommand builds the Run value's command line. Without a config dir
// it is `"C:\…\tokendesk.exe" --background`. With one, cmd.exe sets
// TOKENDESK_CONFIG_DIR and starts the binary, since a Run value cannot set
// a variable itself; characters cmd.exe would interpret are refused.
func WindowsCommand(exe, configDir string) (string, error) {
	if err := checkText("binary path", exe); err != nil {
		return "", err
	}
	if strings.Contains(exe, `"`) {
		return "", fmt.Errorf("the binary path %q contains a double quote", exe)
	}
	cmd := `"` + exe + `" ` + BackgroundFlag
	if configDir == "" {
		return cmd, nil
	}
	if err := checkText("config directory", configDir); err != nil {
		return "", err
	}
	if strings.ContainsAny(configDir, `"%!^&|<>`) {
		return "", fmt.Errorf("the config directory %q contains a character cmd.exe would interpret (one of \" %% ! ^ & | < >); choose another %s", configDir, EnvConfigDir)
	}
	return `cmd.exe /d /c "set "` + EnvConfigDir + `=` + configDir + `" && start "" ` + cmd + `"`, nil
}
