package storage

import (
	"errors"
	"sync"
)

// The keys of the secrets Token Desk keeps per profile.
const (
	// KeyRefreshToken is the current OAuth refresh token.
	KeyRefreshToken = "refresh_token"
	// KeyAccessToken is the current OAuth access token.
	KeyAccessToken = "access_token"
	// KeyClientSecret is the integration's client secret (confidential
	// clients only).
	KeyClientSecret = "client_secret"
)

// ErrNotFound is returned (possibly wrapped) by Secrets.Get when the profile
// has no such secret.
var ErrNotFound = errors.New("secret not found in the keyring")

// Secrets stores secret strings per profile and key.
type Secrets interface {
	// Get returns the secret, or an error wrapping ErrNotFound when it is
	// absent.
	Get(profile, key string) (string, error)
	// Set stores the secret, replacing any earlier value, and verifies it by
	// reading it back.
	Set(profile, key, value string) error
	// Delete removes the secret; an absent secret is not an error.
	Delete(profile, key string) error
}

// MemorySecrets is an in-memory Secrets for demo mode and tests. It is safe
// for concurrent use; its zero value is ready to use.
type MemorySecrets struct {
	mu sync.Mutex
	m  map[[2]string]string
	// Fail, when non-nil, is returned by every call instead of doing
	// anything. Set it before sharing the value, or through SetFail.
	Fail error
}

var _ Secrets = (*MemorySecrets)(nil)

// NewMemorySecrets returns an empty MemorySecrets.
func NewMemorySecrets() *MemorySecrets { return &MemorySecrets{} }

// SetFail makes every later call return err (nil restores normal operation).
func (m *MemorySecrets) SetFail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Fail = err
}

// Get returns the stored secret or ErrNotFound.
func (m *MemorySecrets) Get(profile, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return "", m.Fail
	}
	v, ok := m.m[[2]string{profile, key}]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// Set stores the secret.
func (m *MemorySecrets) Set(profile, key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	if m.m == nil {
		m.m = make(map[[2]string]string)
	}
	m.m[[2]string{profile, key}] = value
	return nil
}

// Delete removes the secret if present.
func (m *MemorySecrets) Delete(profile, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	delete(m.m, [2]string{profile, key})
	return nil
}

// Len returns how many secrets are stored (for tests).
func (m *MemorySecrets) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}
