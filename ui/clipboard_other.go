//go:build !windows

package ui

// markClipboardSensitive does nothing outside Windows and always returns nil.
//
// Not done here, and why:
//   - Linux/X11 (and Wayland through GLFW): Fyne's GLFW clipboard owns the
//     selection and offers only text, so Token Desk cannot add the
//     x-kde-passwordManagerHint target that KDE Klipper and some other
//     clipboard managers honour. Clipboard managers may keep a copy.
//   - macOS: marking a copy as concealed (org.nspasteboard.ConcealedType)
//     needs NSPasteboard through cgo/Objective-C, which is not done yet.
//
// On these platforms the protection is the auto-clear after the copy.
func markClipboardSensitive(content string) error {
	return nil
}
