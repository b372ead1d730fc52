//go:build !windows

package autostart

import "errors"

var errNoRegistry = errors.New("the Windows registry exists only on Windows")

func setRunValue(string) error           { return errNoRegistry }
func deleteRunValue() error              { return errNoRegistry }
func getRunValue() (string, bool, error) { return "", false, errNoRegistry }
