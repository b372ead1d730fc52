package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/zalando/go-keyring"
)

// DefaultKeyringTimeout bounds every call into the system keyring when
// NewKeyring is given no timeout.
const DefaultKeyringTimeout = 5 * time.Second

// MaxEntrySize is the largest value, in bytes, stored in a single keyring
// entry. Windows Credential Manager refuses more than 2560 bytes and macOS's
// `security` tool about 3000 once base64 and the command line are counted,
// so 2000 leaves room on both. Longer values are chunked (see Keyring).
const MaxEntrySize = 2000

// MaxValueSize is the largest secret Keyring accepts (1 MiB, 525 chunks).
const MaxValueSize = 1 << 20

// chunkMarker starts the head entry of a chunked value:
// "tokendesk-chunked:v1:<chunks>:<bytes>:<sha256 hex>".
const chunkMarker = "tokendesk-chunked:v1:"

// corruptRetryDelay is how long Get waits before reading a damaged chunked
// value a second time.
const corruptRetryDelay = 100 * time.Millisecond

// maxChunks bounds the chunk indexes probed when cleaning up.
const maxChunks = MaxValueSize/MaxEntrySize + 2

// Keyring is the Secrets on the operating system's keyring, through
// github.com/zalando/go-keyring. The service name is namespace + "/" +
// profile and the user name is the key, one entry per secret.
//
// A value longer than MaxEntrySize, or one that happens to start with the
// chunk marker, is stored chunked: entries key.1 … key.N hold consecutive
// pieces (split on UTF-8 boundaries) and the entry key holds the head
// "tokendesk-chunked:v1:N:LEN:SHA256". The head is written last and deleted
// first, so a reader sees the old value, the new one, or (after a crash in
// the middle) an error wrapping ErrCorrupt, never a spliced value. Set
// removes chunks left over from a longer earlier value; Delete removes all.
//
// Every call into the keyring is bounded by the timeout and the calls are
// serialised: one that times out keeps the keyring to itself until it really
// returns, so a late write can never overwrite a newer one. That holds within
// one process; writers in several processes must hold a common lock (as the
// keeper does around a refresh). Get reads a damaged chunked value twice,
// 100ms apart, before reporting ErrCorrupt.
type Keyring struct {
	namespace string
	timeout   time.Duration
	be        backend
	gate      gate
	preflight func() error
}

var _ Secrets = (*Keyring)(nil)

// NewKeyring returns the Keyring whose entries live under namespace (see
// KeyringNamespace). A timeout of 0 means DefaultKeyringTimeout.
func NewKeyring(namespace string, timeout time.Duration) *Keyring {
	return newKeyring(namespace, timeout, goKeyring{}, defaultGate, sessionBusPreflight)
}

func newKeyring(namespace string, timeout time.Duration, be backend, g gate, preflight func() error) *Keyring {
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	return &Keyring{namespace: namespace, timeout: timeout, be: be, gate: g, preflight: preflight}
}

// Namespace returns the namespace the Keyring was created with.
func (k *Keyring) Namespace() string { return k.namespace }

// Service returns the keyring service name of a profile's entries.
func (k *Keyring) Service(profile string) string { return k.namespace + "/" + profile }

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (k *Keyring) check(profile, key string) error {
	if !namePattern.MatchString(profile) {
		return fmt.Errorf("invalid profile name %q for the keyring", profile)
	}
	if !keyPattern.MatchString(key) {
		return fmt.Errorf("invalid keyring key %q", key)
	}
	return nil
}

func (k *Keyring) fail(op, profile, key string, err error, secrets ...string) error {
	if errors.Is(err, keyring.ErrNotFound) || errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	return &KeyringError{Op: op, Profile: profile, Key: key, Err: err, Hint: keyringHint(err, k.timeout, secrets...)}
}

// raw calls into the backend under the gate and the timeout.
func (k *Keyring) rawGet(svc, user string) (string, error) {
	return k.gate.call(k.timeout, func() (string, error) { return k.be.Get(svc, user) })
}

func (k *Keyring) rawSet(svc, user, v string) error {
	_, err := k.gate.call(k.timeout, func() (string, error) { return "", k.be.Set(svc, user, v) })
	return err
}

// rawDelete deletes one entry; absent is not an error.
func (k *Keyring) rawDelete(svc, user string) (existed bool, err error) {
	_, err = k.gate.call(k.timeout, func() (string, error) { return "", k.be.Delete(svc, user) })
	if errors.Is(err, keyring.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func chunkUser(key string, i int) string { return key + "." + strconv.Itoa(i) }

// parseHead returns the chunk count, length and checksum of a head entry.
func parseHead(head string) (n, size int, sum string, ok bool) {
	rest, found := strings.CutPrefix(head, chunkMarker)
	if !found {
		return 0, 0, "", false
	}
	f := strings.Split(rest, ":")
	if len(f) != 3 {
		return 0, 0, "", false
	}
	n, err1 := strconv.Atoi(f[0])
	size, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || n < 1 || n > maxChunks || size < 0 || len(f[2]) != 64 {
		return 0, 0, "", false
	}
	return n, size, f[2], true
}

func checksum(v string) string {
	s := sha256.Sum256([]byte(v))
	return hex.EncodeToString(s[:])
}

// split cuts v into pieces of at most MaxEntrySize bytes on rune boundaries.
func split(v string) []string {
	var parts []string
	for len(v) > 0 {
		n := min(MaxEntrySize, len(v))
		for n < len(v) && n > 1 && !utf8.RuneStart(v[n]) {
			n--
		}
		parts = append(parts, v[:n])
		v = v[n:]
	}
	return parts
}

// Get returns the secret, joining chunks, or ErrNotFound.
func (k *Keyring) Get(profile, key string) (string, error) {
	if err := k.check(profile, key); err != nil {
		return "", err
	}
	if err := k.preflight(); err != nil {
		return "", k.fail("get", profile, key, err)
	}
	v, err := k.get(k.Service(profile), key)
	if errors.Is(err, ErrCorrupt) {
		// Possibly a chunked write by another process in progress.
		time.Sleep(corruptRetryDelay)
		v, err = k.get(k.Service(profile), key)
	}
	if err != nil {
		return "", k.fail("get", profile, key, err, v)
	}
	return v, nil
}

func (k *Keyring) get(svc, key string) (string, error) {
	head, err := k.rawGet(svc, key)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(head, chunkMarker) {
		return head, nil
	}
	n, size, sum, ok := parseHead(head)
	if !ok {
		return "", fmt.Errorf("bad chunk header: %w", ErrCorrupt)
	}
	var b strings.Builder
	b.Grow(size)
	for i := 1; i <= n; i++ {
		part, err := k.rawGet(svc, chunkUser(key, i))
		if errors.Is(err, keyring.ErrNotFound) {
			return "", fmt.Errorf("chunk %d of %d is missing: %w", i, n, ErrCorrupt)
		}
		if err != nil {
			return "", err
		}
		b.WriteString(part)
	}
	v := b.String()
	if len(v) != size || checksum(v) != sum {
		return "", fmt.Errorf("joined chunks fail the checksum: %w", ErrCorrupt)
	}
	return v, nil
}

// Set stores the secret (chunked if needed), removes stale chunks of an
// earlier value, then reads the whole value back and compares.
func (k *Keyring) Set(profile, key, value string) error {
	if err := k.check(profile, key); err != nil {
		return err
	}
	if len(value) > MaxValueSize {
		return fmt.Errorf("the %s of profile %q is %d bytes, more than the %d the keyring store accepts", key, profile, len(value), MaxValueSize)
	}
	if err := k.preflight(); err != nil {
		return k.fail("set", profile, key, err)
	}
	svc := k.Service(profile)
	if err := k.set(svc, key, value); err != nil {
		return k.fail("set", profile, key, err, value)
	}
	got, err := k.get(svc, key)
	if errors.Is(err, keyring.ErrNotFound) || errors.Is(err, ErrCorrupt) || (err == nil && got != value) {
		err = ErrReadBack
	}
	if err != nil {
		return k.fail("set", profile, key, err, value)
	}
	return nil
}

// set writes value, then removes the chunks an earlier, longer value left
// behind. It does not read the old value first: chunks are written in
// order, so deleting from the first index the new value does not use for as
// long as entries exist removes all of them, headed or orphaned.
func (k *Keyring) set(svc, key, value string) error {
	newN := 0
	if len(value) <= MaxEntrySize && !strings.HasPrefix(value, chunkMarker) {
		if err := k.rawSet(svc, key, value); err != nil {
			return err
		}
	} else {
		parts := split(value)
		newN = len(parts)
		for i, p := range parts {
			if err := k.rawSet(svc, chunkUser(key, i+1), p); err != nil {
				return err
			}
		}
		head := fmt.Sprintf("%s%d:%d:%s", chunkMarker, newN, len(value), checksum(value))
		if err := k.rawSet(svc, key, head); err != nil {
			return err
		}
	}
	return k.deleteChunks(svc, key, newN+1, 0)
}

// deleteChunks deletes chunk entries from index `from` on: all up to `upTo`,
// and beyond that as long as they exist (orphans of a lost head).
func (k *Keyring) deleteChunks(svc, key string, from, upTo int) error {
	for i := from; i <= maxChunks; i++ {
		existed, err := k.rawDelete(svc, chunkUser(key, i))
		if err != nil {
			return err
		}
		if !existed && i > upTo {
			return nil
		}
	}
	return nil
}

// Delete removes the secret and all its chunks; absent is not an error.
func (k *Keyring) Delete(profile, key string) error {
	if err := k.check(profile, key); err != nil {
		return err
	}
	if err := k.preflight(); err != nil {
		return k.fail("delete", profile, key, err)
	}
	svc := k.Service(profile)
	n := 0
	head, err := k.rawGet(svc, key)
	switch {
	case err == nil:
		n, _, _, _ = parseHead(head)
	case !errors.Is(err, keyring.ErrNotFound):
		return k.fail("delete", profile, key, err)
	}
	if _, err := k.rawDelete(svc, key); err != nil {
		return k.fail("delete", profile, key, err)
	}
	if err := k.deleteChunks(svc, key, 1, n); err != nil {
		return k.fail("delete", profile, key, err)
	}
	return nil
}
