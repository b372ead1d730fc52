//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package flock

func tryLock(string) (func() error, bool, error) { return nil, false, ErrUnsupported }
