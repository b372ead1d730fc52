//go:build x11repro

// Command xopen is a minimal reproduction for the rare "Failed to open
// display": it only calls Xlib's XOpenDisplay through cgo and exits.
package main

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>
#include <stdlib.h>
*/
import "C"

import (
	"fmt"
	"os"
)

func main() {
	d := C.XOpenDisplay(nil)
	if d == nil {
		fmt.Fprintln(os.Stderr, "Failed to open display", os.Getenv("DISPLAY"))
		os.Exit(1)
	}
	C.XCloseDisplay(d)
}
