package storage

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestMemorySecrets(t *testing.T) {
	var s Secrets = NewMemorySecrets()
	if _, err := s.Get("p", KeyRefreshToken); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get: %v", err)
	}
	must(t, s.Set("p", KeyRefreshToken, "rt"))
	if v, err := s.Get("p", KeyRefreshToken); err != nil || v != "rt" {
		t.Fatalf("Get: %q %v", v, err)
	}
	must(t, s.Delete("p", KeyRefreshToken))
	must(t, s.Delete("p", KeyRefreshToken))
	m := s.(*MemorySecrets)
	fail := fmt.Errorf("wrapped: %w", ErrUnavailable)
	m.SetFail(fail)
	if err := s.Set("p", KeyAccessToken, "x"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Set with Fail: %v", err)
	}
	m.SetFail(nil)

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := fmt.Sprint("p", i)
			for j := range 100 {
				_ = s.Set(p, KeyAccessToken, fmt.Sprint(j))
				_, _ = s.Get(p, KeyAccessToken)
			}
		}()
	}
	wg.Wait()
	if m.Len() != 8 {
		t.Fatalf("Len %d", m.Len())
	}
	var zero MemorySecrets
	must(t, zero.Set("p", "k", "v"))
}
