package keeper_test

import (
	"context"
	"errors"
	"os"
	"sync"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

var errKeyringLocked = errors.New("the login keyring is locked")

// flakyStore fails SaveSession as told: the next n calls (n > 0), every
// call (n < 0), or none.
type flakyStore struct {
	keeper.Store
	mu       sync.Mutex
	failNext int
	calls    int
	metaFail bool // SaveSession and SaveMeta fail the config write only
}

func (f *flakyStore) setFail(n int) { f.mu.Lock(); f.failNext = n; f.mu.Unlock() }

func (f *flakyStore) SaveSession(ctx context.Context, p string, s *oauth.Session) error {
	f.mu.Lock()
	f.calls++
	fail, meta := f.failNext != 0, f.metaFail
	if f.failNext > 0 {
		f.failNext--
	}
	f.mu.Unlock()
	if fail {
		return errKeyringLocked
	}
	if err := f.Store.SaveSession(ctx, p, s); err != nil {
		return err
	}
	if meta {
		return &keeper.MetaError{Err: errors.New("open config.json: permission denied")}
	}
	return nil
}

func (f *flakyStore) SaveMeta(ctx context.Context, p string, s *oauth.Session) error {
	f.mu.Lock()
	meta := f.metaFail
	f.mu.Unlock()
	if meta {
		return errors.New("open config.json: permission denied")
	}
	return f.Store.SaveMeta(ctx, p, s)
}

func (f *flakyStore) saveCalls() int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls }

// halfDeleteStore deletes the tokens on DeleteSession and then fails, as a
// logout with a read-only config directory did.
type halfDeleteStore struct {
	keeper.Store
	secrets storage.Secrets
}

func (h *halfDeleteStore) DeleteSession(ctx context.Context, p string) error {
	_ = h.secrets.Delete(p, storage.KeyAccessToken)
	_ = h.secrets.Delete(p, storage.KeyRefreshToken)
	return errors.New("open config.json: permission denied")
}

// blockingOAuth holds every Refresh until released, after telling entered.
type blockingOAuth struct {
	keeper.OAuth
	entered chan struct{}
	release chan struct{}
}

func (b *blockingOAuth) Refresh(ctx context.Context, s *oauth.Session) (*oauth.Session, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.OAuth.Refresh(ctx, s)
}

// corruptSecrets reports chosen keys as damaged until they are written.
type corruptSecrets struct {
	*storage.MemorySecrets
	mu      sync.Mutex
	corrupt map[string]bool
	deleted []string
}

func (c *corruptSecrets) damage(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corrupt == nil {
		c.corrupt = map[string]bool{}
	}
	c.corrupt[key] = true
}

func (c *corruptSecrets) Get(p, key string) (string, error) {
	c.mu.Lock()
	bad := c.corrupt[key]
	c.mu.Unlock()
	if bad {
		return "", &storage.KeyringError{Op: "get", Profile: p, Key: key, Err: storage.ErrCorrupt, Hint: "the stored value is incomplete or damaged"}
	}
	return c.MemorySecrets.Get(p, key)
}

func (c *corruptSecrets) Set(p, key, v string) error {
	c.mu.Lock()
	delete(c.corrupt, key)
	c.mu.Unlock()
	return c.MemorySecrets.Set(p, key, v)
}

func (c *corruptSecrets) Delete(p, key string) error {
	c.mu.Lock()
	delete(c.corrupt, key)
	c.deleted = append(c.deleted, key)
	c.mu.Unlock()
	return c.MemorySecrets.Delete(p, key)
}

// writeFile creates a regular file at path.
func writeFile(path string) error { return os.WriteFile(path, []byte("x"), 0o600) }
