package main

import (
	"testing"
	"time"
)

// A signalled window whose toolkit never finishes quitting still exits,
// after the grace period and only once the refreshes in flight are saved.
func TestAfterGraceDrainsThenExits(t *testing.T) {
	var steps []string
	start := time.Now()
	exitCode := -1
	afterGrace(50*time.Millisecond, func() { steps = append(steps, "drain") },
		func(code int) { steps = append(steps, "exit"); exitCode = code })
	if exitCode != 0 {
		t.Errorf("exit code %d, want 0", exitCode)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("exited after %s, before the grace period", waited)
	}
	if len(steps) != 2 || steps[0] != "drain" || steps[1] != "exit" {
		t.Fatalf("steps %v, want drain then exit", steps)
	}
}
