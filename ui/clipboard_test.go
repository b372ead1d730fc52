package ui

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tokendesk/tokendesk/internal/tokenfmt"
	"github.com/tokendesk/tokendesk/oauth"
)

// stubMarkSensitive replaces markSensitive for one test with a hook that
// records each call (and what the clipboard held at that moment) and returns
// err.
func stubMarkSensitive(t *testing.T, h *harness, err error) *[]string {
	t.Helper()
	var calls []string
	old := markSensitive
	markSensitive = func(content string) error {
		if got := h.app.Clipboard().Content(); got != content {
			t.Errorf("hook ran before the clipboard held the token (clipboard %d bytes, content %d bytes)", len(got), len(content))
		}
		calls = append(calls, content)
		return err
	}
	t.Cleanup(func() { markSensitive = old })
	return &calls
}

// TestMarkClipboardSensitiveStub checks that the non-Windows hook is a no-op.
func TestMarkClipboardSensitiveStub(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the Windows hook touches the real clipboard")
	}
	for _, s := range []string{"", secretToken, "Authorization: Bearer " + secretToken} {
		if err := markClipboardSensitive(s); err != nil {
			t.Errorf("markClipboardSensitive = %v, want nil", err)
		}
	}
}

// TestCopyMarksClipboardSensitive checks that the hook gets exactly the
// copied text, right after it is on the clipboard, and that success adds
// nothing to the notice.
func TestCopyMarksClipboardSensitive(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	calls := stubMarkSensitive(t, h, nil)
	h.m.FormatSelect.SetSelected(tokenfmt.Curl.Label())
	test.Tap(h.m.CopyButton)
	want := `-H "Authorization: Bearer ` + secretToken + `"`
	if len(*calls) != 1 || (*calls)[0] != want {
		t.Fatalf("hook calls = %d, want 1 with the copied text", len(*calls))
	}
	assertContains(t, "notice", h.m.NoticeLabel.Text, "clipboard is cleared in 30s")
	if strings.Contains(h.m.NoticeLabel.Text, "history") {
		t.Errorf("notice = %q, want no history warning", h.m.NoticeLabel.Text)
	}
}

// TestCopySucceedsWhenMarkSensitiveFails checks that a failing hook does not
// undo the copy or the auto-clear, and is reported without the token.
func TestCopySucceedsWhenMarkSensitiveFails(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	calls := stubMarkSensitive(t, h, errors.New("mark clipboard sensitive: open clipboard: Access is denied."))
	m := h.m
	test.Tap(m.CopyButton)
	if len(*calls) != 1 {
		t.Fatalf("hook calls = %d, want 1", len(*calls))
	}
	if got := h.app.Clipboard().Content(); got != secretToken {
		t.Fatalf("clipboard = %q, want the token", got)
	}
	if m.copied != secretToken {
		t.Error("copy not recorded for the auto-clear")
	}
	assertContains(t, "notice", m.NoticeLabel.Text, "Copied (")
	assertContains(t, "notice", m.NoticeLabel.Text, "clipboard is cleared in 30s")
	assertContains(t, "notice", m.NoticeLabel.Text, "Clipboard history may keep a copy (mark clipboard sensitive: open clipboard: Access is denied.)")
	assertNoTokenShown(t, m)
	if len(h.timers) != 1 {
		t.Fatalf("clear timers = %d, want 1", len(h.timers))
	}
	h.timers[0].f()
	if h.app.Clipboard().Content() != "" || m.NoticeLabel.Text != "Clipboard cleared." {
		t.Errorf("after clear: clipboard %d bytes, notice %q", len(h.app.Clipboard().Content()), m.NoticeLabel.Text)
	}
}

// TestMarkSensitiveNotCalledWithoutToken checks that a failed token fetch
// never reaches the hook.
func TestMarkSensitiveNotCalledWithoutToken(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	calls := stubMarkSensitive(t, h, nil)
	h.sess.tokenErr = errors.New("refresh failed: offline")
	test.Tap(h.m.CopyButton)
	if len(*calls) != 0 {
		t.Errorf("hook calls = %d, want 0", len(*calls))
	}
}
