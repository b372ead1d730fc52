// Package locale normalises the POSIX "C" locale before Fyne reads it. Fyne
// logs a parse error for LANG=C or C.UTF-8 (common in containers and cron),
// which would be noise on every command's stderr. Imported for its side
// effect by main, which must list it so it initialises before Fyne's lang
// package.
package locale

import "os"

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	loc := os.Getenv("LC_ALL")
	if loc == "" {
		loc = os.Getenv("LC_MESSAGES")
	}
	if loc == "" {
		loc = os.Getenv("LANG")
	}
	switch loc {
	case "", "C", "POSIX", "C.UTF-8", "C.utf8":
		_ = os.Setenv("LANGUAGE", "en_US")
	}
}
