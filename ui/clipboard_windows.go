//go:build windows

package ui

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Clipboard formats and flags used to mark a copied token as sensitive.
// Microsoft documents these registered formats for password managers:
// https://learn.microsoft.com/windows/win32/dataxchg/clipboard-formats#cloud-clipboard-and-clipboard-history-formats
const (
	cfUnicodeText = 13     // CF_UNICODETEXT
	gmemMoveable  = 0x0002 // GMEM_MOVEABLE

	// formatExcludeMonitor asks clipboard monitors (managers, history) to
	// ignore the content; its data is irrelevant.
	formatExcludeMonitor = "ExcludeClipboardContentFromMonitorProcessing"
	// formatNoHistory = DWORD 0 keeps the content out of Win+V history.
	formatNoHistory = "CanIncludeInClipboardHistory"
	// formatNoCloud = DWORD 0 keeps the content out of cloud clipboard sync.
	formatNoCloud = "CanUploadToCloudClipboard"
)

// Budget for getting hold of the clipboard: another process (often a
// clipboard manager reacting to Fyne's write) may have it open. The whole
// wait stays well under ~100 ms so the UI thread is never visibly blocked.
const (
	openAttempts = 5
	openDelay    = 15 * time.Millisecond
	openBudget   = 90 * time.Millisecond
)

var (
	user32   = windows.NewLazySystemDLL("user32.dll")
	kernel32 = windows.NewLazySystemDLL("kernel32.dll")

	procOpenClipboard              = user32.NewProc("OpenClipboard")
	procCloseClipboard             = user32.NewProc("CloseClipboard")
	procGetClipboardData           = user32.NewProc("GetClipboardData")
	procSetClipboardData           = user32.NewProc("SetClipboardData")
	procRegisterClipboardFormatW   = user32.NewProc("RegisterClipboardFormatW")
	procIsClipboardFormatAvailable = user32.NewProc("IsClipboardFormatAvailable")

	procGlobalAlloc  = kernel32.NewProc("GlobalAlloc")
	procGlobalFree   = kernel32.NewProc("GlobalFree")
	procGlobalLock   = kernel32.NewProc("GlobalLock")
	procGlobalUnlock = kernel32.NewProc("GlobalUnlock")
	procGlobalSize   = kernel32.NewProc("GlobalSize")
)

// sensitiveFormat is one registered clipboard format and the data it gets.
type sensitiveFormat struct {
	name string
	data []byte
}

// sensitiveFormats lists the formats added to a copied token, in order.
func sensitiveFormats() []sensitiveFormat {
	return []sensitiveFormat{
		{formatExcludeMonitor, dwordBytes(0)},
		{formatNoHistory, dwordBytes(0)},
		{formatNoCloud, dwordBytes(0)},
	}
}

// markClipboardSensitive adds Microsoft's "do not monitor / no history / no
// cloud sync" formats to the clipboard, which Fyne has just filled with
// content. It does not empty the clipboard: if the clipboard no longer holds
// exactly content (another program replaced it), it does nothing and returns
// nil. It waits at most openBudget for the clipboard. Errors never contain
// content.
func markClipboardSensitive(content string) error {
	want, err := windows.UTF16FromString(content)
	if err != nil {
		return errors.New("mark clipboard sensitive: text contains a NUL character")
	}
	defer clear(want)

	// OpenClipboard binds the clipboard to the calling OS thread until
	// CloseClipboard; keep the goroutine on that thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	if err := openClipboard(); err != nil {
		return fmt.Errorf("mark clipboard sensitive: %w", err)
	}
	same, err := clipboardTextEquals(want)
	if err == nil && same {
		err = addSensitiveFormats()
	}
	if cerr := closeClipboard(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("mark clipboard sensitive: %w", err)
	}
	return nil
}

// openClipboard opens the clipboard for this task, retrying briefly while
// another process holds it.
func openClipboard() error {
	var last error
	opened := retryWithin(openAttempts, openDelay, openBudget, func() bool {
		r, _, e := procOpenClipboard.Call(0)
		if r != 0 {
			return true
		}
		last = callErr(e)
		return false
	})
	if !opened {
		return fmt.Errorf("open clipboard: %w", last)
	}
	return nil
}

// closeClipboard closes the clipboard opened by openClipboard.
func closeClipboard() error {
	if r, _, e := procCloseClipboard.Call(); r == 0 {
		return fmt.Errorf("close clipboard: %w", callErr(e))
	}
	return nil
}

// clipboardTextEquals reports whether the open clipboard's CF_UNICODETEXT
// equals want (UTF-16, NUL-terminated). A clipboard without text is "not
// equal", not an error.
func clipboardTextEquals(want []uint16) (bool, error) {
	if r, _, _ := procIsClipboardFormatAvailable.Call(cfUnicodeText); r == 0 {
		return false, nil
	}
	h, _, e := procGetClipboardData.Call(cfUnicodeText)
	if h == 0 {
		return false, fmt.Errorf("read clipboard text: %w", callErr(e))
	}
	p, _, e := procGlobalLock.Call(h)
	if p == 0 {
		return false, fmt.Errorf("lock clipboard text: %w", callErr(e))
	}
	defer procGlobalUnlock.Call(h)
	size, _, _ := procGlobalSize.Call(h)
	// p is memory owned by the clipboard, locked until GlobalUnlock; convert
	// without a uintptr→unsafe.Pointer cast so vet stays quiet.
	got := unsafe.Slice(*(**uint16)(unsafe.Pointer(&p)), size/2)
	return utf16TextEquals(got, want), nil
}

// addSensitiveFormats puts every sensitiveFormats entry on the open
// clipboard.
func addSensitiveFormats() error {
	for _, f := range sensitiveFormats() {
		if err := setClipboardBytes(f.name, f.data); err != nil {
			return err
		}
	}
	return nil
}

// setClipboardBytes registers the clipboard format name and puts data on the
// open clipboard under it. The system owns the memory once SetClipboardData
// succeeds; on failure it is freed here.
func setClipboardBytes(name string, data []byte) error {
	namePtr, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return fmt.Errorf("format %s: %w", name, err)
	}
	format, _, e := procRegisterClipboardFormatW.Call(uintptr(unsafe.Pointer(namePtr)))
	if format == 0 {
		return fmt.Errorf("register clipboard format %s: %w", name, callErr(e))
	}
	h, _, e := procGlobalAlloc.Call(gmemMoveable, uintptr(len(data)))
	if h == 0 {
		return fmt.Errorf("allocate clipboard data for %s: %w", name, callErr(e))
	}
	p, _, e := procGlobalLock.Call(h)
	if p == 0 {
		procGlobalFree.Call(h) // best-effort cleanup
		return fmt.Errorf("lock clipboard data for %s: %w", name, callErr(e))
	}
	copy(unsafe.Slice(*(**byte)(unsafe.Pointer(&p)), len(data)), data)
	procGlobalUnlock.Call(h) // 0 with no error means unlocked
	if r, _, e := procSetClipboardData.Call(format, h); r == 0 {
		procGlobalFree.Call(h) // best-effort cleanup
		return fmt.Errorf("set clipboard format %s: %w", name, callErr(e))
	}
	return nil
}

// dwordBytes encodes v as a little-endian Windows DWORD, ready to copy into
// an HGLOBAL.
func dwordBytes(v uint32) []byte {
	return binary.LittleEndian.AppendUint32(nil, v)
}

// utf16TextEquals reports whether the clipboard text got (which may run past
// its NUL terminator, up to the allocation size) equals want (NUL-terminated,
// as from windows.UTF16FromString). Only the text up to got's first NUL
// counts.
func utf16TextEquals(got, want []uint16) bool {
	if n := len(want); n > 0 && want[n-1] == 0 {
		want = want[:n-1]
	}
	for i, c := range got {
		if c == 0 {
			got = got[:i]
			break
		}
	}
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// retryWithin calls try up to attempts times, sleeping delay between calls,
// until it returns true; it gives up early rather than let the total wait
// exceed budget. It reports whether try succeeded.
func retryWithin(attempts int, delay, budget time.Duration, try func() bool) bool {
	start := time.Now()
	for i := 0; i < attempts; i++ {
		if try() {
			return true
		}
		if i == attempts-1 || time.Since(start)+delay > budget {
			return false
		}
		time.Sleep(delay)
	}
	return false
}

// callErr turns the error from a LazyProc.Call into a useful error: Call
// always returns a non-nil error, which is ERROR_SUCCESS when the API did
// not set one.
func callErr(e error) error {
	var errno syscall.Errno
	if e == nil || (errors.As(e, &errno) && errno == 0) {
		return errors.New("unknown error")
	}
	return e
}
