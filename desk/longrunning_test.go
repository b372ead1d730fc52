package desk_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// refusingSecrets refuses writes while refuse is set; reads work.
type refusingSecrets struct {
	*storage.MemorySecrets
	refuse atomic.Bool
}

func (r *refusingSecrets) Set(profile, key, value string) error {
	if r.refuse.Load() {
		return errors.New("the login keyring is locked")
	}
	return r.MemorySecrets.Set(profile, key, value)
}

// A long-running process (window, agent) holds a rotated refresh token the
// keyring refused and keeps retrying it, handing it to nobody; a short-lived
// command hands it to the running app first.
func TestLongRunningHoldsRefusedToken(t *testing.T) {
	for _, long := range []bool{false, true} {
		f := newFleet(t, 1, 0)
		sec := &refusingSecrets{MemorySecrets: f.secrets}
		var handOffs atomic.Int32
		m := desk.NewManager(desk.Options{Store: f.store, Secrets: sec, Now: f.srv.Now,
			Base: oauth.Config{Ports: []int{f.port}, HTTPTimeout: 10 * time.Second},
			HandOff: func(context.Context, string, *oauth.Session) error {
				handOffs.Add(1)
				return nil
			},
			LongRunning: long})
		k, err := m.Keeper(context.Background(), f.names[0])
		if err != nil {
			t.Fatal(err)
		}
		sec.refuse.Store(true)
		err = k.Refresh(context.Background())
		if long {
			if err == nil || !strings.Contains(k.Status().StorageError, "holds it in memory") || handOffs.Load() != 0 {
				t.Fatalf("long-running: err %v, storage error %q, hand-offs %d", err, k.Status().StorageError, handOffs.Load())
			}
			// Once the keyring takes writes again, the held token is saved.
			sec.refuse.Store(false)
			if err := k.Refresh(context.Background()); err != nil {
				t.Fatalf("after the keyring came back: %v", err)
			}
			if st := k.Status(); st.StorageError != "" {
				t.Fatalf("still held: %q", st.StorageError)
			}
			continue
		}
		if err != nil || handOffs.Load() != 1 {
			t.Fatalf("short-lived: err %v, hand-offs %d (want the token handed to the running app)", err, handOffs.Load())
		}
	}
}
