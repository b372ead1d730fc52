package demo

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

// controlPoll is how often the control file is looked for.
const controlPoll = 200 * time.Millisecond

// runCommand applies one control command to the sandbox:
//
//	outage N   the next N token requests get 503 Service Unavailable
//	revoke     the consent is revoked now (the next refresh needs a login)
func runCommand(srv *sandbox.Server, line string) error {
	f := strings.Fields(line)
	switch {
	case len(f) == 0:
		return nil
	case f[0] == "outage" && len(f) == 2:
		n, err := strconv.Atoi(f[1])
		if err != nil || n <= 0 {
			return fmt.Errorf("outage %q: give a positive number of failing token requests", f[1])
		}
		fault := sandbox.ServerErrorFault(http.StatusServiceUnavailable)
		fault.Path = "/oauth/token"
		srv.InjectFault(fault, n)
		return nil
	case f[0] == "revoke" && len(f) == 1:
		srv.RevokeConsent()
		return nil
	}
	return fmt.Errorf("unknown demo control command %q; use \"outage N\" or \"revoke\"", line)
}

// watchControl runs the commands written to the file at path, one per
// line, until stop is closed; the file is removed once read. It lets a
// scripted walk through the demo (scripts/smoke-window.sh) show the
// retrying and re-login states when it wants them.
func watchControl(srv *sandbox.Server, path string, stop <-chan struct{}, logf func(string, ...any)) {
	t := time.NewTicker(controlPoll)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		_ = os.Remove(path)
		if err != nil {
			logf("demo control: %v", err)
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if err := runCommand(srv, line); err != nil {
				logf("demo control: %v", err)
			}
		}
	}
}
