//go:build linux || darwin

package agent

import (
	"fmt"
	"net"
)

// peerCred runs read, the platform's credential call, on a Unix socket's
// descriptor and returns what it found: the peer's UID and, where the
// platform reports it, its PID (0 otherwise).
func peerCred(c net.Conn, read func(fd int) (uid, pid int, err error)) (uid, pid int, err error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return -1, 0, fmt.Errorf("not a unix socket")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return -1, 0, err
	}
	var rerr error
	if err := raw.Control(func(fd uintptr) { uid, pid, rerr = read(int(fd)) }); err != nil {
		return -1, 0, err
	}
	if rerr != nil {
		return -1, 0, fmt.Errorf("read the peer's credentials: %w", rerr)
	}
	return uid, pid, nil
}
