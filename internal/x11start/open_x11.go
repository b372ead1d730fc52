//go:build linux && cgo && !wayland

package x11start

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <X11/Xlib.h>
*/
import "C"

import "unsafe"

func init() { open = openX11 }

// openX11 opens display with Xlib, as GLFW does.
func openX11(display string) (func(), error) {
	name := C.CString(display)
	defer C.free(unsafe.Pointer(name))
	// GLFW calls XInitThreads before its XOpenDisplay; it must come before
	// any other Xlib call, so it comes first here. A second call is a no-op.
	C.XInitThreads()
	d := C.XOpenDisplay(name)
	if d == nil {
		return nil, errNoConnection
	}
	return func() { C.XCloseDisplay(d) }, nil
}
