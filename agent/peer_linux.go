//go:build linux

package agent

import (
	"net"

	"golang.org/x/sys/unix"
)

// peerUID returns the UID and PID of the process at the other end of a Unix
// socket (SO_PEERCRED).
func peerUID(c net.Conn) (uid, pid int, err error) {
	return peerCred(c, func(fd int) (int, int, error) {
		cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
		if err != nil {
			return -1, 0, err
		}
		return int(cred.Uid), int(cred.Pid), nil
	})
}
