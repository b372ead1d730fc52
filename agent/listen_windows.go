//go:build windows

package agent

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
)

// listen creates the endpoint's named pipe with a DACL that admits only the
// current user (and denies remote clients). A second server for the same
// pipe name fails, since the first instance is created exclusively.
func listen(ep Endpoint) (net.Listener, error) {
	sddl, err := currentUserSDDL()
	if err != nil {
		return nil, err
	}
	l, err := winio.ListenPipe(ep.Address, &winio.PipeConfig{SecurityDescriptor: sddl, InputBufferSize: 4096, OutputBufferSize: 4096})
	if err != nil {
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_PIPE_BUSY) {
			return nil, ErrRunning
		}
		return nil, fmt.Errorf("listen on %s: %w", ep.Address, err)
	}
	return l, nil
}

// currentUserSDDL is a protected DACL granting the current user full access
// to the pipe and nobody else, remote clients denied.
func currentUserSDDL() (string, error) {
	tok := windows.GetCurrentProcessToken()
	u, err := tok.GetTokenUser()
	if err != nil {
		return "", fmt.Errorf("read the current user: %w", err)
	}
	return PipeSDDL(u.User.Sid.String()), nil
}

// dial connects to the named pipe within timeout.
func dial(ep Endpoint, timeout time.Duration) (net.Conn, error) {
	return winio.DialPipe(ep.Address, &timeout)
}
