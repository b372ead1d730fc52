package x11start

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestConnectRetries(t *testing.T) {
	short := []time.Duration{1, 2, 3}
	tests := []struct {
		name      string
		failFirst int // tries that fail before one succeeds
		wantTries int
		wantSleep []time.Duration
		wantErr   string // part of the error; empty: success
	}{
		{name: "first try", failFirst: 0, wantTries: 1},
		{name: "dropped twice", failFirst: 2, wantTries: 3, wantSleep: []time.Duration{1, 2}},
		{name: "last try", failFirst: 3, wantTries: 4, wantSleep: []time.Duration{1, 2, 3}},
		{name: "never", failFirst: 99, wantTries: 4, wantSleep: []time.Duration{1, 2, 3},
			wantErr: `cannot connect to the X display ":7" (4 tries over 6ns)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tries, closed := 0, 0
			open := func(display string) (func(), error) {
				if display != ":7" {
					t.Fatalf("opened %q, want :7", display)
				}
				tries++
				if tries <= tc.failFirst {
					return nil, errNoConnection
				}
				return func() { closed++ }, nil
			}
			var slept []time.Duration
			closeFn, err := connect(":7", open, func(d time.Duration) { slept = append(slept, d) }, short)
			if tries != tc.wantTries {
				t.Errorf("tries = %d, want %d", tries, tc.wantTries)
			}
			if len(slept) != len(tc.wantSleep) {
				t.Fatalf("slept %v, want %v", slept, tc.wantSleep)
			}
			for i := range slept {
				if slept[i] != tc.wantSleep[i] {
					t.Errorf("slept %v, want %v", slept, tc.wantSleep)
				}
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, errNoConnection) {
					t.Fatalf("err = %v, want one containing %q and wrapping %v", err, tc.wantErr, errNoConnection)
				}
				if !strings.Contains(err.Error(), "DISPLAY and XAUTHORITY") {
					t.Errorf("err = %v, want it to say what to check", err)
				}
				return
			}
			if err != nil || closeFn == nil {
				t.Fatalf("connect: %v (close func nil: %t)", err, closeFn == nil)
			}
			closeFn()
			if closed != 1 {
				t.Errorf("close func closed %d connections, want 1", closed)
			}
		})
	}
}

func TestHoldWithoutDisplayOpensNothing(t *testing.T) {
	saved := open
	defer func() { open = saved }()
	opened := 0
	open = func(string) (func(), error) { opened++; return func() {}, nil }
	if err := Hold(""); err != nil {
		t.Fatalf("Hold(\"\") = %v", err)
	}
	if opened != 0 {
		t.Errorf("Hold(\"\") opened %d connections, want none", opened)
	}
}

func TestHoldHoldsOneConnection(t *testing.T) {
	saved, savedHeld := open, held
	defer func() { open, held = saved, savedHeld }()
	held = nil
	opened := 0
	open = func(string) (func(), error) { opened++; return func() {}, nil }
	for i := 0; i < 3; i++ {
		if err := Hold(":7"); err != nil {
			t.Fatalf("Hold = %v", err)
		}
	}
	if opened != 1 {
		t.Errorf("three Holds opened %d connections, want 1", opened)
	}
}
