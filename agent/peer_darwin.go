//go:build darwin

package agent

import (
	"net"

	"golang.org/x/sys/unix"
)

// peerUID returns the UID of the process at the other end of a Unix socket
// (getpeereid, i.e. LOCAL_PEERCRED); the PID is not reported (0).
func peerUID(c net.Conn) (uid, pid int, err error) {
	return peerCred(c, func(fd int) (int, int, error) {
		cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
		if err != nil {
			return -1, 0, err
		}
		return int(cred.Uid), 0, nil
	})
}
