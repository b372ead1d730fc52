// Package x11start connects to the X display before the window toolkit
// does, and keeps that connection open while the process runs.
//
// An X server that is not run with -noreset (Xvfb and xvfb-run by default,
// and Xorg when its last client leaves) resets itself each time its last
// client disconnects, and during that reset it closes every connection that
// was accepted but not yet set up. A client that connects at that moment is
// dropped: GLFW then logs "X11: Failed to open display" and Fyne panics with
// "The GLFW library is not initialized". The first connection is retried
// here; once it is set up, the server has a client and no longer resets
// while GLFW connects. See docs/x11-open-display.md.
package x11start

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// delays are the waits between tries: a reset takes some tens of
// milliseconds, and a display that is still missing after about 1.5 s is
// reported.
var delays = []time.Duration{
	20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
	200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
}

var (
	mu   sync.Mutex
	held func() // closes the held connection; nil while none is held
)

// Hold connects to the X display named by display (the value of DISPLAY),
// retrying a refused or dropped connection a few times, and keeps the
// connection open for the rest of the process, so that the X server does
// not reset while the window toolkit opens its own connection. It does
// nothing when display is empty, when a connection is held already, or in
// a build without X11 (no cgo, the wayland tag, or another system). The
// error says what to check when no try succeeds.
func Hold(display string) error {
	if display == "" || open == nil {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	if held != nil {
		return nil
	}
	closeFn, err := connect(display, open, time.Sleep, delays)
	if err != nil {
		return err
	}
	held = closeFn
	return nil
}

// opener opens a connection to an X display and returns what closes it.
type opener func(display string) (closeFn func(), err error)

// open is the real opener; nil in builds without X11.
var open opener

// errNoConnection is the error of one failed try.
var errNoConnection = errors.New("the X server did not accept the connection")

// connect tries open once, then once more after each of delays.
func connect(display string, open opener, sleep func(time.Duration), delays []time.Duration) (func(), error) {
	var waited time.Duration
	for try := 0; ; try++ {
		closeFn, err := open(display)
		if err == nil {
			return closeFn, nil
		}
		if try == len(delays) {
			return nil, fmt.Errorf("cannot connect to the X display %q (%d tries over %v): %w; "+
				"check that the X server is running and that DISPLAY and XAUTHORITY are right for this user, "+
				"or use the command line (tokendesk help) or `tokendesk agent` without a window",
				display, try+1, waited, err)
		}
		sleep(delays[try])
		waited += delays[try]
	}
}
