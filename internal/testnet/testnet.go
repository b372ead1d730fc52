// Package testnet holds network helpers for tests.
package testnet

import (
	"net"
	"testing"
)

// FreePort returns a loopback port the OS considers free now, so tests and
// benchmarks do not collide with others running in parallel processes.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
