package cli

import (
	"context"
	"fmt"

	"github.com/tokendesk/tokendesk/autostart"
)

// runAutostart is `tokendesk autostart on|off|status`: start Token Desk in
// the background at login, or not.
func runAutostart(_ context.Context, args []string, env Env) error {
	if len(args) != 1 {
		return usageError{"usage: tokendesk autostart on|off|status"}
	}
	e, err := autostart.DefaultEnv()
	if err != nil {
		return err
	}
	switch args[0] {
	case "on":
		where, dir, err := autostart.EnableSelf()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Autostart is on: Token Desk starts in the background at login (%s).\n", where)
		if dir != "" {
			fmt.Fprintf(env.Stdout, "It uses the configuration in %s.\n", dir)
		}
		return nil
	case "off":
		if err := e.Disable(); err != nil {
			return err
		}
		where, _ := e.Location()
		fmt.Fprintf(env.Stdout, "Autostart is off (%s removed).\n", where)
		return nil
	case "status":
		on, where, err := e.Status()
		if err != nil {
			return err
		}
		if on {
			fmt.Fprintf(env.Stdout, "on: %s\n", where)
		} else {
			fmt.Fprintf(env.Stdout, "off: no entry at %s\n", where)
		}
		return nil
	}
	return usageError{fmt.Sprintf("autostart: unknown action %q; use on, off or status", args[0])}
}
