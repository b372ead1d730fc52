package humanize

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{999 * time.Millisecond, "0s"},
		{42 * time.Second, "42s"},
		{4*time.Minute + 10*time.Second + 900*time.Millisecond, "4m 10s"},
		{9*time.Minute + 59*time.Second, "9m 59s"},
		{10 * time.Minute, "10m"},
		{12*time.Minute + 5*time.Second, "12m"},
		{7*time.Hour + 59*time.Minute + 59*time.Second, "7h 59m"},
		{8 * time.Hour, "8h 0m"},
		// Truncation, not rounding: the window and status both say 29d 23h.
		{30*day - time.Second, "29d 23h"},
		{30 * day, "30d 0h"},
		{-(3*time.Minute + 2*time.Second), "3m 2s"},
	} {
		if got := Duration(tc.d); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestAge(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{12 * time.Second, "under a minute"},
		{3*time.Minute + 59*time.Second, "3m"},
		{59*time.Minute + 59*time.Second, "59m"},
		{2*time.Hour + 5*time.Minute + 9*time.Second, "2h 5m"},
		{(3*24+1)*time.Hour + 30*time.Second, "3d 1h"},
		{-5 * time.Minute, "5m"},
	} {
		if got := Age(tc.d); got != tc.want {
			t.Errorf("Age(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestElapsed(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "-"},
		{850 * time.Millisecond, "850ms"},
		{2390 * time.Millisecond, "2.3s"},
		{30 * time.Second, "30.0s"},
		{90 * time.Second, "1m 30s"},
	} {
		if got := Elapsed(tc.d); got != tc.want {
			t.Errorf("Elapsed(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestRelativeAndLeft(t *testing.T) {
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		t              time.Time
		relative, left string
	}{
		{now.Add(7*time.Hour + 59*time.Minute + 30*time.Second), "in 7h 59m", "7h 59m left"},
		{now.Add(-(3*time.Minute + 2*time.Second)), "3m 2s ago", "expired 3m 2s ago"},
		{now.Add(400 * time.Millisecond), "now", "0s left"},
		{now, "now", "expired 0s ago"},
	} {
		if got := Relative(tc.t, now); got != tc.relative {
			t.Errorf("Relative(%v) = %q, want %q", tc.t.Sub(now), got, tc.relative)
		}
		if got := Left(tc.t, now); got != tc.left {
			t.Errorf("Left(%v) = %q, want %q", tc.t.Sub(now), got, tc.left)
		}
	}
}

func TestWhen(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, cet)
	for _, tc := range []struct {
		t             time.Time
		when, seconds string
	}{
		{time.Date(2026, 12, 1, 15, 2, 13, 0, time.UTC), "16:02 CET", "16:02:13 CET"},
		// 23:30 UTC is already the next day in CET: the date is shown.
		{time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC), "Wed 2 Dec 00:30 CET", "Wed 2 Dec 00:30:00 CET"},
		{time.Date(2026, 11, 30, 10, 0, 0, 0, cet), "Mon 30 Nov 10:00 CET", "Mon 30 Nov 10:00:00 CET"},
		{time.Date(2027, 1, 5, 9, 7, 0, 0, cet), "Tue 5 Jan 2027 09:07 CET", "Tue 5 Jan 2027 09:07:00 CET"},
		{time.Time{}, "never", "never"},
	} {
		if got := When(tc.t, now); got != tc.when {
			t.Errorf("When(%v) = %q, want %q", tc.t, got, tc.when)
		}
		if got := WhenSeconds(tc.t, now); got != tc.seconds {
			t.Errorf("WhenSeconds(%v) = %q, want %q", tc.t, got, tc.seconds)
		}
	}
	if got, want := WhenRelative(now.Add(2*day+3*time.Hour), now), "Thu 3 Dec 18:00 CET (in 2d 3h)"; got != want {
		t.Errorf("WhenRelative = %q, want %q", got, want)
	}
}
