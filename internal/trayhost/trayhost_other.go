//go:build !linux

package trayhost

// available: Windows' notification area and macOS's menu bar always exist.
func available() bool { return true }
