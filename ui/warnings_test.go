package ui

import (
	"strings"
	"testing"
)

// What opening the configuration had to say (a directory made private, a
// keyring move to retry) is shown once, when the window is first shown, and
// no dialog appears when there is nothing to say.
func TestStorageWarningsShownOnce(t *testing.T) {
	h := newHarness(t, validStatus(""))
	onUI(h.m.Show)
	if h.m.StorageWarningDialog != nil {
		t.Fatal("a warning dialog without warnings")
	}
	warn := "the config directory /x/tokendesk was readable by other users (mode 0777); it is now private (0700)"
	m := h.build(Options{StorageWarnings: []string{warn}})
	onUI(m.Show)
	d := m.StorageWarningDialog
	if d == nil || !strings.Contains(shown(m), "mode 0777") {
		t.Fatalf("warning not shown: dialog %v, text %q", d, shown(m))
	}
	onUI(d.Hide)
	onUI(m.Show)
	if m.StorageWarningDialog != d || strings.Contains(shown(m), "mode 0777") {
		t.Fatal("the warning was shown again")
	}
}
