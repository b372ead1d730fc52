// Package trayhost tells whether the desktop can show a tray icon. Fyne
// always offers a system tray on Linux, but the icon only appears when a
// StatusNotifier host owns org.kde.StatusNotifierWatcher on the session bus
// (KDE, most panels; GNOME only with the AppIndicator extension). Without
// one, hiding the window on close would leave no way back to it.
package trayhost

// WatcherName is the D-Bus name a StatusNotifier host owns.
const WatcherName = "org.kde.StatusNotifierWatcher"

// Available reports whether a tray icon would be visible. It never blocks for
// long: the D-Bus query has a short timeout, and any failure means "no".
func Available() bool { return available() }
