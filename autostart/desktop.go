package autostart

import (
	"strings"
)

// DesktopEntry builds the XDG autostart file. Exec runs exe with
// --background, through `env TOKENDESK_CONFIG_DIR=…` when configDir is set,
// each argument quoted per the Desktop Entry Specification.
func DesktopEntry(exe, configDir string) (string, error) {
	if err := checkText("binary path", exe); err != nil {
		return "", err
	}
	if err := checkText("config directory", configDir); err != nil {
		return "", err
	}
	args := []string{exe, BackgroundFlag}
	if configDir != "" {
		args = append([]string{"env", EnvConfigDir + "=" + configDir}, args...)
	}
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = execQuote(a)
	}
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Token Desk\n" +
		"Comment=Keeps your DocuSign sessions alive in the background\n" +
		"Exec=" + strings.Join(q, " ") + "\n" +
		"Icon=" + AppID + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n", nil
}

// execReserved are the characters that make an Exec argument need quotes.
const execReserved = " \t\n\"'\\><~|&;$*?#()`"

// execQuote quotes one Exec argument: inside double quotes ", `, $ and \
// take a backslash; then the whole value is escaped as a desktop-file
// string (a backslash doubles), and % doubles as field codes require.
func execQuote(a string) string {
	if a != "" && !strings.ContainsAny(a, execReserved) {
		return strings.ReplaceAll(a, "%", "%%")
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range a {
		switch r {
		case '"', '`', '$':
			b.WriteString(`\\`) // the quoting backslash, escaped as a string
			b.WriteRune(r)
		case '\\':
			b.WriteString(`\\\\`)
		case '%':
			b.WriteString("%%")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// ExecArgs parses an Exec value back into its arguments (the inverse of the
// quoting above), so tests and `autostart status` can check what an entry
// runs.
func ExecArgs(exec string) []string {
	// Undo the desktop-file string escapes first.
	var s strings.Builder
	for i := 0; i < len(exec); i++ {
		if exec[i] == '\\' && i+1 < len(exec) {
			i++
			switch exec[i] {
			case 's':
				s.WriteByte(' ')
			case 'n':
				s.WriteByte('\n')
			case 't':
				s.WriteByte('\t')
			case 'r':
				s.WriteByte('\r')
			default:
				s.WriteByte(exec[i])
			}
			continue
		}
		s.WriteByte(exec[i])
	}
	v := strings.ReplaceAll(s.String(), "%%", "%")
	var args []string
	var cur strings.Builder
	in, have := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case in && c == '\\' && i+1 < len(v):
			i++
			cur.WriteByte(v[i])
		case c == '"':
			in, have = !in, true
		case !in && (c == ' ' || c == '\t'):
			if have || cur.Len() > 0 {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
		}
	}
	if have || cur.Len() > 0 {
		args = append(args, cur.String())
	}
	return args
}

// DesktopExec returns the Exec value of a desktop file ("" if none).
func DesktopExec(content string) string {
	for _, line := range strings.Split(content, "\n") {
		if v, ok := strings.CutPrefix(line, "Exec="); ok {
			return v
		}
	}
	return ""
}

// desktopDisabled reports an entry switched off inside (Hidden=true or
// X-GNOME-Autostart-enabled=false), as desktop settings tools do.
func desktopDisabled(content string) bool {
	for _, line := range strings.Split(content, "\n") {
		switch strings.TrimSpace(line) {
		case "Hidden=true", "X-GNOME-Autostart-enabled=false":
			return true
		}
	}
	return false
}
