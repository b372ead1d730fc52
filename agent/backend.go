package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// ManagerBackend serves the keepers of a desk.Manager: the same keepers the
// window or the agent keeps alive.
type ManagerBackend struct {
	M *desk.Manager
}

// signedOut is the answer for a profile with no session.
func signedOut(profile string) error {
	return &Error{Kind: ErrKindSignedOut, Message: fmt.Sprintf("profile %q is not logged in; run `tokendesk login -p %s`", profile, profile)}
}

// Token implements Backend.
func (b ManagerBackend) Token(ctx context.Context, profile string, minValid time.Duration) (string, error) {
	k, err := b.M.Keeper(ctx, profile)
	if err != nil {
		return "", err
	}
	tok, err := k.Token(ctx, minValid)
	if err != nil {
		if k.Status().State == keeper.SignedOut {
			return "", signedOut(k.Profile())
		}
		return "", err
	}
	return tok, nil
}

// Status implements Backend.
func (b ManagerBackend) Status(ctx context.Context, profile string) (keeper.Status, error) {
	k, err := b.M.Keeper(ctx, profile)
	if err != nil {
		return keeper.Status{}, err
	}
	return k.Status(), nil
}

// Refresh implements Backend.
func (b ManagerBackend) Refresh(ctx context.Context, profile string) (keeper.Status, error) {
	k, err := b.M.Keeper(ctx, profile)
	if err != nil {
		return keeper.Status{}, err
	}
	if k.Status().State == keeper.SignedOut {
		return keeper.Status{}, signedOut(k.Profile())
	}
	if err := k.Refresh(ctx); err != nil {
		return keeper.Status{}, err
	}
	return k.Status(), nil
}

// adopter is a keeper that can take over a handed-off session, holding it
// in memory and retrying its write until it is stored.
type adopter interface {
	Adopt(ctx context.Context, s *oauth.Session) error
}

// HandOff implements Backend: the keeper adopts the session when it can;
// otherwise the session is stored here under the profile's lock and the
// keeper reloads it.
func (b ManagerBackend) HandOff(ctx context.Context, profile string, h *HandOff) error {
	k, err := b.M.Keeper(ctx, profile)
	if err != nil {
		return err
	}
	s := h.Session.Clone()
	s.AccessToken, s.RefreshToken = h.AccessToken, h.RefreshToken
	if a, ok := any(k).(adopter); ok {
		return a.Adopt(ctx, s)
	}
	st := &keeper.StorageBackend{Config: b.M.Store(), Secrets: b.M.Secrets()}
	unlock, err := st.Lock(ctx, k.Profile())
	if err != nil {
		return fmt.Errorf("lock profile %q for the handed-off session: %w", k.Profile(), err)
	}
	err = st.SaveSession(ctx, k.Profile(), s)
	unlock()
	if err != nil {
		return fmt.Errorf("store the handed-off session of %q: %w", k.Profile(), err)
	}
	return k.Load(ctx)
}
