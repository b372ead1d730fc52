package keeper_test

// Benchmarks of the Keeper's hot path and of its single-flight refresh (see
// bench/README.md). They run against the in-process sandbox with in-memory
// secrets; the smoke run is
//
//	go test -run '^$' -bench . -benchtime 1x ./keeper/

import (
	"context"
	"runtime"
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

// stormSize is the number of goroutines of the concurrent variants.
const stormSize = 10000

// benchKeeper returns a logged-in keeper over a fresh sandbox. now is the
// keeper's clock: time.Now for the hot path (as in production: the
// sandbox clock takes a mutex), srv.Now when the test advances time.
func benchKeeper(tb testing.TB, accessTTL time.Duration, sandboxClock bool) (*keeper.Keeper, *sandbox.Server) {
	tb.Helper()
	port := testnet.FreePort(tb)
	srv, err := sandbox.NewServer(sandbox.Options{AutoAccept: true, AccessTTL: accessTTL, RedirectURIs: []string{oauth.RedirectURI(port)}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	cl, err := oauth.NewClient(oauth.Config{Environment: oauth.Environment(srv.URL()), IntegrationKey: srv.IntegrationKey(),
		Ports: []int{port}, HTTPTimeout: 10 * time.Second, Now: srv.Now})
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now
	if sandboxClock {
		now = srv.Now
	}
	k := keeper.New(keeper.Options{Profile: "p", Environment: oauth.Environment(srv.URL()), OAuth: cl, Now: now,
		Store: &keeper.StorageBackend{Config: storage.Open(tb.TempDir()), Secrets: storage.NewMemorySecrets()}})
	ctx := context.Background()
	if err := k.Load(ctx); err != nil {
		tb.Fatal(err)
	}
	err = k.Login(ctx, func(u string) { go testbrowser.Visit(ctx, u, testbrowser.Accept) })
	if err != nil {
		tb.Fatalf("login: %v", err)
	}
	return k, srv
}

// BenchmarkTokenValid is Keeper.Token on a valid access token: the lock-free
// hot path. Target: 0 allocations, no server call.
func BenchmarkTokenValid(b *testing.B) {
	k, srv := benchKeeper(b, 0, false)
	ctx := context.Background()
	want, err := k.Token(ctx, 5*time.Minute)
	if err != nil || want == "" {
		b.Fatalf("token: %v", err)
	}
	if a := testing.AllocsPerRun(100, func() { _, _ = k.Token(ctx, 5*time.Minute) }); a != 0 {
		b.Fatalf("Token allocates %.1f times per call on a valid token; want 0", a)
	}
	srv.ResetStats()
	check := func(b *testing.B) {
		if st := srv.Stats(); st.Refreshes != 0 {
			b.Fatalf("%d refreshes while the token was valid", st.Refreshes)
		}
	}

	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if tok, err := k.Token(ctx, 5*time.Minute); err != nil || tok != want {
				b.Fatal("wrong token")
			}
		}
		check(b)
	})
	parallel := func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if tok, err := k.Token(ctx, 5*time.Minute); err != nil || tok != want {
					b.Error("wrong token")
					return
				}
			}
		})
		check(b)
	}
	b.Run("parallel", parallel)
	// 10,000 goroutines share the b.N calls (RunParallel starts
	// parallelism × GOMAXPROCS goroutines).
	b.Run("goroutines=10k", func(b *testing.B) {
		b.SetParallelism((stormSize + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		parallel(b)
	})
}

// BenchmarkRefreshStorm releases 10,000 goroutines at once on an expired
// access token: exactly one refresh must reach the server, and every
// goroutine must get its token. One op is one whole storm.
func BenchmarkRefreshStorm(b *testing.B) {
	const ttl = time.Hour
	k, srv := benchKeeper(b, ttl, true)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		srv.Advance(ttl + time.Minute) // the current access token is expired now
		srv.ResetStats()
		start := make(chan struct{})
		var ready, done sync.WaitGroup
		toks := make([]string, stormSize)
		errs := make([]error, stormSize)
		ready.Add(stormSize)
		done.Add(stormSize)
		for i := range stormSize {
			go func() {
				defer done.Done()
				ready.Done()
				<-start
				toks[i], errs[i] = k.Token(ctx, 5*time.Minute)
			}()
		}
		ready.Wait()
		b.StartTimer()
		close(start)
		done.Wait()
		b.StopTimer()
		if st := srv.Stats(); st.Refreshes != 1 {
			b.Fatalf("a storm of %d callers made %d refreshes; want exactly 1", stormSize, st.Refreshes)
		}
		for i := range stormSize {
			if errs[i] != nil || toks[i] == "" || toks[i] != toks[0] {
				b.Fatalf("caller %d: err %v, or a different token than caller 0", i, errs[i])
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(1, "refreshes/storm")
}
