package ui

// interactions is the window's app-level state: the Quit action and the
// start-at-login switch.
type interactions struct{}

// loginSucceeded runs after a login from the window succeeded.
func (m *MainWindow) loginSucceeded() {}
