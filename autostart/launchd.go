package autostart

import (
	"encoding/xml"
	"strings"
)

// LaunchAgentPlist builds the macOS LaunchAgent: it runs exe --background
// at login (RunAtLoad), with TOKENDESK_CONFIG_DIR in its environment when
// configDir is set.
func LaunchAgentPlist(exe, configDir string) (string, error) {
	if err := checkText("binary path", exe); err != nil {
		return "", err
	}
	if err := checkText("config directory", configDir); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + AppID + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + xmlText(exe) + `</string>
		<string>` + BackgroundFlag + `</string>
	</array>
`)
	if configDir != "" {
		b.WriteString(`	<key>EnvironmentVariables</key>
	<dict>
		<key>` + EnvConfigDir + `</key>
		<string>` + xmlText(configDir) + `</string>
	</dict>
`)
	}
	b.WriteString(`	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`)
	return b.String(), nil
}

// xmlText escapes s for XML character data.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
