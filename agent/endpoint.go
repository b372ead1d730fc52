package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Endpoint is where the app of one user and configuration listens.
type Endpoint struct {
	// Network is "unix", or "pipe" on Windows.
	Network string
	// Address is the socket path or the pipe name.
	Address string
	// Dir is the directory holding the socket (mode 0700); empty for a pipe.
	Dir string
}

// EnvRuntimeDir is the directory the socket lives under on Unix.
const EnvRuntimeDir = "XDG_RUNTIME_DIR"

// ConfigKey derives a short, stable name from the canonical config dir, so
// two configurations never share one endpoint and the same directory reached
// through a symlink shares it.
func ConfigKey(configDir string) string {
	dir := configDir
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	sum := sha256.Sum256([]byte(filepath.Clean(dir)))
	return hex.EncodeToString(sum[:8])
}

// EndpointFor returns the endpoint of a configuration: a Unix socket in
// $XDG_RUNTIME_DIR/tokendesk/ (the config dir when that is unset), or on
// Windows a named pipe. getenv is os.Getenv in production.
func EndpointFor(configDir string, getenv func(string) string) Endpoint {
	key := ConfigKey(configDir)
	if runtime.GOOS == "windows" {
		return Endpoint{Network: "pipe", Address: `\\.\pipe\tokendesk-` + key}
	}
	dir := filepath.Join(configDir, "run")
	if rt := getenv(EnvRuntimeDir); rt != "" && filepath.IsAbs(rt) {
		dir = filepath.Join(rt, "tokendesk")
	}
	return Endpoint{Network: "unix", Address: filepath.Join(dir, key+".sock"), Dir: dir}
}

// DefaultEndpoint is EndpointFor with the process environment.
func DefaultEndpoint(configDir string) Endpoint { return EndpointFor(configDir, os.Getenv) }

// String names the endpoint for messages.
func (e Endpoint) String() string { return fmt.Sprintf("%s %s", e.Network, e.Address) }
