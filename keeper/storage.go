package keeper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tokendesk/tokendesk/internal/flock"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// StorageBackend implements Store with the config file for metadata and a
// secret store (the OS keyring) for the tokens.
type StorageBackend struct {
	// Config is the config file store.
	Config *storage.Store
	// Secrets holds the tokens.
	Secrets storage.Secrets
}

// LoadSession reads the metadata and then the token asked for. A missing
// access token is not an error (the next refresh gets one); a missing
// refresh token leaves RefreshToken empty so the keeper asks for a login.
func (b *StorageBackend) LoadSession(ctx context.Context, profile string, want Secret) (*oauth.Session, error) {
	cfg, err := b.Config.Load()
	if err != nil {
		return nil, err
	}
	meta := cfg.Sessions[profile]
	if meta == nil {
		return nil, nil
	}
	s := meta.Clone()
	if want == RefreshToken {
		s.RefreshToken, err = b.get(profile, storage.KeyRefreshToken)
		return s, err // a damaged refresh token (storage.ErrCorrupt) needs a login
	}
	s.AccessToken, err = b.get(profile, storage.KeyAccessToken)
	if errors.Is(err, storage.ErrCorrupt) {
		// The access token is a cache: drop a damaged entry, and the next
		// refresh fetches a new one.
		_ = b.Secrets.Delete(profile, storage.KeyAccessToken)
		s.AccessToken, err = "", nil
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (b *StorageBackend) get(profile, key string) (string, error) {
	v, err := b.Secrets.Get(profile, key)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err // storage's errors already name the secret and the profile
	}
	return v, nil
}

// SaveSession writes the refresh token first, then the access token, then
// the metadata: a crash in between leaves a stored refresh token that the
// server accepts and metadata that is, at worst, too pessimistic. A failed
// metadata write, after both tokens are saved, is a *MetaError.
func (b *StorageBackend) SaveSession(ctx context.Context, profile string, s *oauth.Session) error {
	for _, kv := range [][2]string{{storage.KeyRefreshToken, s.RefreshToken}, {storage.KeyAccessToken, s.AccessToken}} {
		if err := b.Secrets.Set(profile, kv[0], kv[1]); err != nil {
			return err
		}
	}
	if err := b.SaveMeta(ctx, profile, s); err != nil {
		return &MetaError{Err: err}
	}
	return nil
}

// SaveMeta writes the session's metadata (never its tokens) to the config.
func (b *StorageBackend) SaveMeta(ctx context.Context, profile string, s *oauth.Session) error {
	meta := s.Clone()
	meta.AccessToken, meta.RefreshToken = "", ""
	return b.Config.Update(ctx, func(c *storage.Config) error {
		if c.Sessions == nil {
			c.Sessions = map[string]*oauth.Session{}
		}
		c.Sessions[profile] = meta
		return nil
	})
}

// DeleteSession removes the tokens first (a secret must never outlive its
// metadata), then the metadata.
func (b *StorageBackend) DeleteSession(ctx context.Context, profile string) error {
	for _, k := range []string{storage.KeyAccessToken, storage.KeyRefreshToken} {
		if err := b.Secrets.Delete(profile, k); err != nil {
			return err
		}
	}
	return b.Config.Update(ctx, func(c *storage.Config) error {
		delete(c.Sessions, profile)
		return nil
	})
}

// Lock takes <config dir>/locks/<profile>.lock.
func (b *StorageBackend) Lock(ctx context.Context, profile string) (func(), error) {
	dir := filepath.Join(b.Config.Dir(), "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the lock directory: %w", err)
	}
	unlock, err := flock.Lock(ctx, filepath.Join(dir, profile+".lock"))
	if err != nil {
		return nil, err
	}
	return func() { _ = unlock() }, nil
}

// AppendActivity appends to the profile's activity file.
func (b *StorageBackend) AppendActivity(profile string, a Activity) error {
	return b.Config.AppendActivity(profile, a)
}

// ReadActivity reads the newest entries of the activity file.
func (b *StorageBackend) ReadActivity(profile string, limit int) ([]Activity, error) {
	raw, err := b.Config.ReadActivity(profile, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Activity, 0, len(raw))
	for _, r := range raw {
		var a Activity
		if json.Unmarshal(r, &a) == nil {
			out = append(out, a)
		}
	}
	return out, nil
}
