//go:build windows

package ui

import (
	"bytes"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// TestDwordBytes checks the little-endian DWORD encoding put into an HGLOBAL.
func TestDwordBytes(t *testing.T) {
	for v, want := range map[uint32][]byte{
		0:          {0, 0, 0, 0},
		1:          {1, 0, 0, 0},
		0x01020304: {4, 3, 2, 1},
	} {
		if got := dwordBytes(v); !bytes.Equal(got, want) {
			t.Errorf("dwordBytes(%#x) = %v, want %v", v, got, want)
		}
	}
}

// TestSensitiveFormats checks the documented format names and DWORD 0 data.
func TestSensitiveFormats(t *testing.T) {
	want := []string{
		"ExcludeClipboardContentFromMonitorProcessing",
		"CanIncludeInClipboardHistory",
		"CanUploadToCloudClipboard",
	}
	got := sensitiveFormats()
	if len(got) != len(want) {
		t.Fatalf("%d formats, want %d", len(got), len(want))
	}
	for i, f := range got {
		if f.name != want[i] || !bytes.Equal(f.data, []byte{0, 0, 0, 0}) {
			t.Errorf("format %d = %s %v, want %s DWORD 0", i, f.name, f.data, want[i])
		}
	}
}

// TestUTF16TextEquals checks the clipboard text comparison, including the
// padding past the NUL that GlobalSize may include.
func TestUTF16TextEquals(t *testing.T) {
	u := func(s string) []uint16 { return windows.StringToUTF16(s) }
	cases := []struct {
		got, want []uint16
		equal     bool
	}{
		{u("abc"), u("abc"), true},
		{append(u("abc"), 0, 0x41), u("abc"), true},
		{u("abc")[:3], u("abc"), true}, // no terminator in got
		{u("abd"), u("abc"), false},
		{u("ab"), u("abc"), false},
		{u("abcd"), u("abc"), false},
		{u(""), u(""), true},
		{nil, u("abc"), false},
		{u("tøkën ✓"), u("tøkën ✓"), true},
	}
	for i, c := range cases {
		if got := utf16TextEquals(c.got, c.want); got != c.equal {
			t.Errorf("case %d: utf16TextEquals = %v, want %v", i, got, c.equal)
		}
	}
}

// TestRetryWithin checks the attempt limit and the time budget.
func TestRetryWithin(t *testing.T) {
	n := 0
	if !retryWithin(5, time.Millisecond, time.Second, func() bool { n++; return n == 3 }) || n != 3 {
		t.Errorf("succeeded after %d tries, want true after 3", n)
	}
	n = 0
	if retryWithin(4, time.Millisecond, time.Second, func() bool { n++; return false }) || n != 4 {
		t.Errorf("tries = %d, want 4 and false", n)
	}
	n = 0
	start := time.Now()
	if retryWithin(100, 20*time.Millisecond, 50*time.Millisecond, func() bool { n++; return false }) {
		t.Error("want false")
	}
	if d := time.Since(start); d > 100*time.Millisecond || n > 4 {
		t.Errorf("took %v over %d tries, want within the 50ms budget", d, n)
	}
}

// TestCallErr checks that a zero errno becomes a readable error.
func TestCallErr(t *testing.T) {
	if err := callErr(windows.Errno(0)); err == nil || err.Error() != "unknown error" {
		t.Errorf("callErr(0) = %v", err)
	}
	if err := callErr(windows.ERROR_ACCESS_DENIED); err != windows.ERROR_ACCESS_DENIED {
		t.Errorf("callErr(ERROR_ACCESS_DENIED) = %v", err)
	}
	if err := callErr(nil); err == nil {
		t.Error("callErr(nil) = nil")
	}
}
