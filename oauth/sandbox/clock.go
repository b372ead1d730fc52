package sandbox

import "time"

// Now returns the server clock: real time plus the offset accumulated by
// Advance. Every expiry the server checks or mints uses this clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

// Advance moves the server clock forward by d (backward if d is negative),
// so tests can expire codes and tokens without waiting.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
}

// nowLocked is Now for callers already holding s.mu. It is UTC, carries no
// monotonic reading and is truncated to the 100 ns resolution of the token
// format, so times the server stores equal those decoded from its tokens.
func (s *Server) nowLocked() time.Time {
	return time.Now().Add(s.offset).UTC().Truncate(100 * time.Nanosecond)
}
