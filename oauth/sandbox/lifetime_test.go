package sandbox

import (
	"testing"
	"time"
)

func TestFormatLifetime(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{30 * 24 * time.Hour, "30 days"},
		{24 * time.Hour, "24 hours"},
		{48 * time.Hour, "2 days"},
		{36 * time.Hour, "36 hours"},
		{8 * time.Hour, "8 hours"},
		{time.Hour, "1 hour"},
		{90 * time.Minute, "90 minutes"},
		{10 * time.Minute, "10 minutes"},
		{time.Minute, "1 minute"},
		{90 * time.Second, "90 seconds"},
		{45 * time.Second, "45 seconds"},
		{1 * time.Second, "1 second"},
	}
	for _, tt := range tests {
		if got := formatLifetime(tt.d); got != tt.want {
			t.Errorf("formatLifetime(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
