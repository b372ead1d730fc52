package agent

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/keeper"
)

// ManagerBackend serves the keepers of a desk.Manager: the same keepers the
// window or the agent keeps alive. Other processes may change a session
// meanwhile (`tokendesk login` and `logout` run on their own): whenever the
// config file, which records every session change, differs from what the
// backend last saw, the profile's keeper re-reads its stored session before
// answering. Use it by pointer; the zero value with M set is ready.
type ManagerBackend struct {
	M *desk.Manager

	mu   sync.Mutex
	seen map[string]fileStamp // per profile: the config file version its keeper last loaded
}

// fileStamp identifies a version of the config file.
type fileStamp struct {
	mod  time.Time
	size int64
}

// keeper returns a profile's keeper, reloaded from storage first when the
// config file changed since the last request for it (or on the first one).
func (b *ManagerBackend) keeper(ctx context.Context, profile string) (*keeper.Keeper, error) {
	k, err := b.M.Keeper(ctx, profile)
	if err != nil {
		return nil, err
	}
	var stamp fileStamp
	if fi, err := os.Stat(b.M.Store().Path()); err == nil {
		stamp = fileStamp{mod: fi.ModTime(), size: fi.Size()}
	}
	name := k.Profile()
	b.mu.Lock()
	old, known := b.seen[name]
	b.mu.Unlock()
	if known && old == stamp {
		return k, nil
	}
	// Let a refresh in flight finish, so the re-read sees its result.
	if err := k.Drain(ctx); err != nil {
		return k, nil
	}
	if err := k.Load(ctx); err != nil {
		return k, nil // keep serving what the keeper holds; the next request tries again
	}
	b.mu.Lock()
	if b.seen == nil {
		b.seen = map[string]fileStamp{}
	}
	b.seen[name] = stamp
	b.mu.Unlock()
	return k, nil
}

// signedOut is the answer for a profile with no session.
func signedOut(profile string) error {
	return &Error{Kind: ErrKindSignedOut, Message: fmt.Sprintf("profile %q is not logged in; run `tokendesk login -p %s`", profile, profile)}
}

// Token implements Backend.
func (b *ManagerBackend) Token(ctx context.Context, profile string, minValid time.Duration) (string, *keeper.Status, error) {
	k, err := b.keeper(ctx, profile)
	if err != nil {
		return "", nil, err
	}
	tok, err := k.Token(ctx, minValid)
	st := k.Status()
	if err != nil && tok == "" {
		if st.State == keeper.SignedOut {
			return "", &st, signedOut(k.Profile())
		}
		return "", &st, err
	}
	// A token with a warning (its lifetime is shorter than asked) is still
	// handed out; the client derives the warning from the status.
	return tok, &st, nil
}

// Status implements Backend.
func (b *ManagerBackend) Status(ctx context.Context, profile string) (*keeper.Status, error) {
	k, err := b.keeper(ctx, profile)
	if err != nil {
		return nil, err
	}
	// One read of the refresh token, as the direct path's status does, so
	// status and token agree when it is missing or damaged. A keyring that
	// cannot be read leaves the keeper's own view, which says so.
	_ = k.Verify(ctx)
	st := k.Status()
	return &st, nil
}

// Refresh implements Backend.
func (b *ManagerBackend) Refresh(ctx context.Context, profile string) (*keeper.Status, error) {
	k, err := b.keeper(ctx, profile)
	if err != nil {
		return nil, err
	}
	if st := k.Status(); st.State == keeper.SignedOut {
		return &st, signedOut(k.Profile())
	}
	err = k.Refresh(ctx)
	st := k.Status()
	return &st, err
}

// HandOff implements Backend: the keeper adopts the session, saving it or
// holding it in memory until it can (keeper.Keeper.Adopt). The handing
// process holds the profile's lock meanwhile, so none is taken here.
func (b *ManagerBackend) HandOff(ctx context.Context, profile string, h *HandOff) error {
	k, err := b.keeper(ctx, profile)
	if err != nil {
		return err
	}
	s := h.Session.Clone()
	s.AccessToken, s.RefreshToken = h.AccessToken, h.RefreshToken
	if err := k.Adopt(ctx, s); err != nil {
		return fmt.Errorf("take over the rotated session of %q: %w", k.Profile(), err)
	}
	k.Poke() // the keeper's loop re-plans: a held session's write is retried after the backoff, not the next minute
	return nil
}

// NotServed is a Backend that serves no session: a demo-mode window serves
// show-window only, so clients take the direct path for the real profiles.
type NotServed struct{}

var errNotServed = &Error{Kind: ErrKindNotServed, Message: "the running Token Desk is in demo mode and does not serve this configuration's sessions"}

// Token implements Backend.
func (NotServed) Token(context.Context, string, time.Duration) (string, *keeper.Status, error) {
	return "", nil, errNotServed
}

// Status implements Backend.
func (NotServed) Status(context.Context, string) (*keeper.Status, error) { return nil, errNotServed }

// Refresh implements Backend.
func (NotServed) Refresh(context.Context, string) (*keeper.Status, error) { return nil, errNotServed }

// HandOff implements Backend.
func (NotServed) HandOff(context.Context, string, *HandOff) error { return errNotServed }
