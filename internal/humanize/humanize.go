// Package humanize is the one formatter of durations and times that both the
// window and `tokendesk status` use, so the two never disagree about how long
// a token has left or when something happens.
//
// Every duration is truncated, never rounded: 29 days 23 hours 59 minutes is
// "29d 23h", not "30d 0h". Times are shown in the zone of the reference time
// ("now"), always with the zone's name, and with the date when they are not
// on the same day as now.
package humanize

import (
	"fmt"
	"time"
)

const day = 24 * time.Hour

// Duration renders the magnitude of d with its two largest units, truncated:
// "29d 23h", "7h 59m", "4m 10s", "42s". From ten minutes up to an hour it
// shows whole minutes only ("12m"), so a countdown above ten minutes changes
// once a minute rather than every second.
func Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Truncate(time.Second)
	days := int64(d / day)
	h := int64(d/time.Hour) % 24
	m := int64(d/time.Minute) % 60
	s := int64(d/time.Second) % 60
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case m >= 10:
		return fmt.Sprintf("%dm", m)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// Age renders how long ago something happened, to the minute: "under a
// minute", "3m", "2h 5m", "3d 1h". An age needs no seconds, and a label that
// changes every second repaints the window every second.
func Age(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < time.Minute {
		return "under a minute"
	}
	d = d.Truncate(time.Minute)
	if d < time.Hour {
		return fmt.Sprintf("%dm", int64(d/time.Minute))
	}
	return Duration(d)
}

// Elapsed renders how long an action took: "-" for nothing measured,
// "850ms", "2.3s", and Duration's form from a minute up.
func Elapsed(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		// Truncate to a tenth of a second, as every other duration here.
		return fmt.Sprintf("%d.%ds", int64(d/time.Second), int64(d%time.Second/(100*time.Millisecond)))
	}
	return Duration(d)
}

// Relative renders t relative to now: "in 7h 59m", "3m 2s ago", "now" when
// they are less than a second apart.
func Relative(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d > -time.Second && d < time.Second:
		return "now"
	case d > 0:
		return "in " + Duration(d)
	}
	return Duration(d) + " ago"
}

// Left renders the time left until t: "7h 59m left", or "expired 3m 2s ago"
// once t has passed.
func Left(t, now time.Time) string {
	d := t.Sub(now)
	if d <= 0 {
		return "expired " + Duration(d) + " ago"
	}
	return Duration(d) + " left"
}

// When renders t in now's time zone, with the zone's name: "16:02 CET" when
// it falls on now's day, "Tue 1 Dec 16:02 CET" in the same year, and
// "Tue 1 Dec 2027 16:02 CET" otherwise. The zero time is "never".
func When(t, now time.Time) string { return when(t, now, "15:04") }

// WhenSeconds is When to the second ("16:02:13 CET"), for the few places where
// seconds matter, such as a refresh due within minutes.
func WhenSeconds(t, now time.Time) string { return when(t, now, "15:04:05") }

func when(t, now time.Time, clock string) string {
	if t.IsZero() {
		return "never"
	}
	t = t.In(now.Location())
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	switch {
	case ty == ny && tm == nm && td == nd:
		return t.Format(clock + " MST")
	case ty == ny:
		return t.Format("Mon 2 Jan " + clock + " MST")
	}
	return t.Format("Mon 2 Jan 2006 " + clock + " MST")
}

// WhenRelative joins When and Relative: "Tue 1 Dec 16:02 CET (in 2d 3h)".
func WhenRelative(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return When(t, now) + " (" + Relative(t, now) + ")"
}
