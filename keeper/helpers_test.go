package keeper_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/internal/testbrowser"
	"github.com/tokendesk/tokendesk/internal/testnet"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
	"github.com/tokendesk/tokendesk/storage"
)

// env is a sandbox, a real oauth client, a config dir and in-memory secrets,
// all on the sandbox's clock.
type env struct {
	srv     *sandbox.Server
	cl      *oauth.Client
	store   *storage.Store
	secrets *storage.MemorySecrets
	backend *recordingStore
	opt     keeper.Options
}

type envOpt struct {
	scopes    []string
	accessTTL time.Duration
	mutate    func(*keeper.Options)
}

func newEnv(t *testing.T, o envOpt) *env {
	t.Helper()
	port := testnet.FreePort(t)
	srv, err := sandbox.NewServer(sandbox.Options{AutoAccept: true, AccessTTL: o.accessTTL, RedirectURIs: []string{oauth.RedirectURI(port)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	cl, err := oauth.NewClient(oauth.Config{Environment: oauth.Environment(srv.URL()), IntegrationKey: srv.IntegrationKey(),
		Scopes: o.scopes, Ports: []int{port}, HTTPTimeout: 2 * time.Second, Now: srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv, cl: cl, store: storage.Open(t.TempDir()), secrets: storage.NewMemorySecrets()}
	e.backend = &recordingStore{Store: &keeper.StorageBackend{Config: e.store, Secrets: e.secrets}}
	e.opt = keeper.Options{Profile: "p", Environment: oauth.Environment(srv.URL()), OAuth: cl, Store: e.backend, Now: srv.Now,
		MinBackoff: time.Second, MaxBackoff: time.Minute}
	if o.mutate != nil {
		o.mutate(&e.opt)
	}
	return e
}

// keeper returns a fresh, loaded keeper over the env (like a new process).
func (e *env) keeper(t *testing.T) *keeper.Keeper {
	t.Helper()
	k := keeper.New(e.opt)
	if err := k.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return k
}

// login logs k in through the programmatic browser.
func (e *env) login(t *testing.T, k *keeper.Keeper) {
	t.Helper()
	err := k.Login(context.Background(), func(u string) {
		go testbrowser.Visit(context.Background(), u, testbrowser.Accept)
	})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
}

// storedRT is the refresh token in the secret store now.
func (e *env) storedRT(t *testing.T) string {
	t.Helper()
	v, err := e.secrets.Get("p", storage.KeyRefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// recordingStore wraps the real backend to record the order of events and
// to fail saves on demand.
type recordingStore struct {
	keeper.Store
	mu       sync.Mutex
	saves    int
	failSave error
	lastRT   string
}

func (r *recordingStore) SaveSession(ctx context.Context, p string, s *oauth.Session) error {
	r.mu.Lock()
	fail := r.failSave
	r.mu.Unlock()
	if fail != nil {
		return fail
	}
	if err := r.Store.SaveSession(ctx, p, s); err != nil {
		return err
	}
	r.mu.Lock()
	r.saves++
	r.lastRT = s.RefreshToken
	r.mu.Unlock()
	return nil
}

func (r *recordingStore) setFail(err error) {
	r.mu.Lock()
	r.failSave = err
	r.mu.Unlock()
}

var errDiskFull = errors.New("the keyring refused the write: disk full")
