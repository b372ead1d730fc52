package desk_test

// Scale benchmarks: many profiles in one running app (see bench/README.md).
// The smoke run is
//
//	go test -run '^$' -bench . -benchtime 1x ./desk/

import (
	"context"
	"fmt"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/desk"
	"github.com/tokendesk/tokendesk/internal/testbrowser"
	"github.com/tokendesk/tokendesk/internal/testnet"
	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
	"github.com/tokendesk/tokendesk/storage"
)

// manyProfiles is the profile count of the scale benchmarks.
const manyProfiles = 200

// fleet is a sandbox and a config dir with n logged-in profiles, on the
// sandbox's clock (which Advance moves).
type fleet struct {
	srv     *sandbox.Server
	store   *storage.Store
	secrets *storage.MemorySecrets
	port    int
	names   []string
}

// manager returns a new manager over the fleet's storage, like a new process.
func (f *fleet) manager() *desk.Manager {
	return desk.NewManager(desk.Options{Store: f.store, Secrets: f.secrets, Now: f.srv.Now,
		Base: oauth.Config{Ports: []int{f.port}, HTTPTimeout: 10 * time.Second}})
}

// newFleet saves n profiles and logs each in. stagger moves the clock
// between logins so the profiles do not all refresh in the same minute.
func newFleet(tb testing.TB, n int, stagger time.Duration) *fleet {
	tb.Helper()
	port := testnet.FreePort(tb)
	srv, err := sandbox.NewServer(sandbox.Options{AutoAccept: true, RedirectURIs: []string{oauth.RedirectURI(port)}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	f := &fleet{srv: srv, store: storage.Open(tb.TempDir()), secrets: storage.NewMemorySecrets(), port: port}
	m := f.manager()
	ctx := context.Background()
	for i := range n {
		name := fmt.Sprintf("p%03d", i)
		f.names = append(f.names, name)
		if err := m.SaveProfile(ctx, storage.Profile{Name: name, Environment: srv.URL(), IntegrationKey: srv.IntegrationKey()}, ""); err != nil {
			tb.Fatal(err)
		}
		k, err := m.Keeper(ctx, name)
		if err != nil {
			tb.Fatal(err)
		}
		if err := k.Login(ctx, func(u string) { go testbrowser.Visit(ctx, u, testbrowser.Accept) }); err != nil {
			tb.Fatalf("login %s: %v", name, err)
		}
		srv.Advance(stagger)
	}
	return f
}

// runGoroutines counts the goroutines parked in keeper.(*Keeper).Run: one
// timer each.
func runGoroutines() int {
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	n := 0
	for _, block := range strings.Split(b.String(), "\n\n") {
		if !strings.Contains(block, "keeper.(*Keeper).Run") {
			continue
		}
		var c int
		if _, err := fmt.Sscanf(block, "%d @", &c); err == nil {
			n += c
		}
	}
	return n
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkScaleIdle measures what an idle app pays for its profiles: the
// goroutines, timers and heap that KeepAlive adds, and the CPU of one idle
// minute (each keeper wakes once per CheckEvery = 1 minute and runs Check
// on a valid session). One op is one idle minute of every keeper.
func BenchmarkScaleIdle(b *testing.B) {
	for _, n := range []int{1, manyProfiles} {
		b.Run(fmt.Sprintf("profiles=%d", n), func(b *testing.B) {
			f := newFleet(b, n, 0)
			m := f.manager()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			g0, h0 := runtime.NumGoroutine(), heapInUse()
			start := time.Now()
			m.KeepAlive(ctx)
			startup := time.Since(start)
			keepers := make([]*keeper.Keeper, 0, n)
			for _, name := range f.names {
				k, err := m.Keeper(ctx, name)
				if err != nil {
					b.Fatal(err)
				}
				keepers = append(keepers, k)
			}
			deadline := time.Now().Add(10 * time.Second)
			for runGoroutines() < n && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if got := runGoroutines(); got != n {
				b.Fatalf("%d keeper loops for %d profiles", got, n)
			}
			g1, h1 := runtime.NumGoroutine(), heapInUse()
			f.srv.ResetStats()

			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				for _, k := range keepers {
					k.Check(ctx)
				}
			}
			b.StopTimer()
			if st := f.srv.Stats(); st.Refreshes != 0 {
				b.Fatalf("%d refreshes while every session was valid", st.Refreshes)
			}
			perMinute := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(g1-g0), "goroutines")
			b.ReportMetric(float64(runGoroutines()), "timers")
			b.ReportMetric(float64(int64(h1)-int64(h0))/1024, "heap-KiB")
			b.ReportMetric(perMinute/60e9*100, "idle-CPU-%")
			b.ReportMetric(float64(startup.Microseconds())/1000, "keepalive-start-ms")
		})
	}
}

// BenchmarkScaleDay simulates a day of 200 logged-in profiles on a fake
// clock: every simulated minute (the keeper's CheckEvery) each keeper's
// Check runs, as Run would. No refresh may be missed: an access token must
// never be found expired at a check, and each profile refreshes on
// schedule (8 h tokens, refreshed 10 min early: 3 or 4 times a day). One
// op is one simulated day.
func BenchmarkScaleDay(b *testing.B) {
	const (
		step = time.Minute
		day  = 24 * time.Hour
	)
	// Logins 2 minutes apart spread the refreshes over 400 minutes.
	f := newFleet(b, manyProfiles, 2*time.Minute)
	m := f.manager()
	ctx := context.Background()
	keepers := make([]*keeper.Keeper, 0, len(f.names))
	for _, name := range f.names {
		k, err := m.Keeper(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		keepers = append(keepers, k)
	}
	minLeft := time.Duration(1<<63 - 1)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		before := make([]int, len(keepers))
		for i, k := range keepers {
			before[i] = k.Status().Session.Refreshes
		}
		f.srv.ResetStats()
		b.StartTimer()
		for t := time.Duration(0); t < day; t += step {
			f.srv.Advance(step)
			now := f.srv.Now()
			for i, k := range keepers {
				st := k.Status()
				if st.Session == nil || st.State != keeper.Valid {
					b.Fatalf("%s at +%s: state %s (%s)", f.names[i], t, st.State, st.Reason)
				}
				left := st.Session.AccessExpiresAt.Sub(now)
				if left <= 0 {
					b.Fatalf("%s at +%s: the access token expired %s ago: a refresh was missed", f.names[i], t, -left)
				}
				minLeft = min(minLeft, left)
				k.Check(ctx)
			}
		}
		b.StopTimer()
		total := 0
		for i, k := range keepers {
			n := k.Status().Session.Refreshes - before[i]
			if n < 3 || n > 4 {
				b.Fatalf("%s refreshed %d times in a day; want 3 or 4", f.names[i], n)
			}
			total += n
		}
		if st := f.srv.Stats(); st.Refreshes != total || st.RefreshRejected != 0 {
			b.Fatalf("the server saw %d refreshes (%d rejected); the keepers count %d", st.Refreshes, st.RefreshRejected, total)
		}
		b.ReportMetric(float64(total)/float64(len(keepers)), "refreshes/profile/day")
		b.StartTimer()
	}
	b.ReportMetric(minLeft.Minutes(), "min-left-at-check-min")
}
