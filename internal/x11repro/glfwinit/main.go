//go:build x11repro

// Command glfwinit is a minimal reproduction for the rare "X11: Failed to
// open display" at GLFW start-up: it only initialises GLFW, as Fyne's
// driver does, and exits 1 when that failed. With -hold it first holds an
// X connection through internal/x11start, as Token Desk's window does.
// Run it in a loop with scripts/x11-repro.sh; see docs/x11-open-display.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/tokendesk/tokendesk/internal/x11start"
)

func init() { runtime.LockOSThread() }

func main() {
	hold := flag.Bool("hold", false, "hold an X connection (internal/x11start) before glfw.Init")
	flag.Parse()
	if *hold {
		if err := x11start.Hold(os.Getenv("DISPLAY")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	// go-gl's Init only logs a PlatformError such as "X11: Failed to open
	// display" and returns nil; the next call then panics with
	// NotInitialized, which is what Fyne shows.
	if err := glfw.Init(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(os.Stderr, "glfw not initialised:", r)
			os.Exit(1)
		}
	}()
	glfw.GetPrimaryMonitor()
	glfw.Terminate()
}
