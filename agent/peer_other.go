//go:build !linux && !darwin && !windows

package agent

import (
	"errors"
	"net"
)

// peerUID is not implemented on this platform: every peer is refused, so
// clients take the direct path.
func peerUID(net.Conn) (uid, pid int, err error) {
	return -1, 0, errors.New("peer credentials are not supported on this platform")
}
