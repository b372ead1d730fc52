package ui

import (
	"context"
	"fmt"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// PasteLogin is a Session whose browser login also accepts the address a
// browser on another computer ended on, pasted into the login pane. The
// window offers the paste field only for sessions that implement it.
type PasteLogin interface {
	// LoginPaste is Login with oauth.LoginOptions: OnURL gets the local
	// start address (to open here) and the consent address (for another
	// computer), Paste delivers pasted addresses, and OnPasteRejected says
	// why one was refused while the login goes on waiting.
	LoginPaste(ctx context.Context, o oauth.LoginOptions) error
}

// KeeperSession is a keeper's session with the paste fallback: the keeper
// stores the session and records the login, the profile's oauth client runs
// the consent. Use it by pointer: the window compares sessions.
type KeeperSession struct {
	*keeper.Keeper
	// Client builds the profile's oauth client for a login.
	Client func() (*oauth.Client, error)
}

// LoginPaste runs a login that also accepts pasted redirect addresses.
func (s *KeeperSession) LoginPaste(ctx context.Context, o oauth.LoginOptions) error {
	cl, err := s.Client()
	if err != nil {
		return fmt.Errorf("prepare the login: %w", err)
	}
	return s.LoginWith(ctx, func(ctx context.Context) (*oauth.Session, error) { return cl.LoginWith(ctx, o) })
}
