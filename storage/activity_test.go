package storage

import (
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"testing"
)

type testEntry struct {
	N    int    `json:"n"`
	Note string `json:"note"`
}

func TestActivityAppendAndRead(t *testing.T) {
	s := Open(t.TempDir())
	if got, err := s.ReadActivity("p", 10); err != nil || len(got) != 0 {
		t.Fatalf("empty log: %v %v", got, err)
	}
	for i := range 5 {
		must(t, s.AppendActivity("p", testEntry{N: i, Note: "line\nbreak"}))
	}
	got, err := s.ReadActivity("p", 3)
	must(t, err)
	if len(got) != 3 {
		t.Fatalf("%d entries, want 3", len(got))
	}
	for i, raw := range got {
		var e testEntry
		must(t, json.Unmarshal(raw, &e))
		if e.N != 4-i {
			t.Fatalf("entry %d is n=%d, want newest first", i, e.N)
		}
	}
	all, err := s.ReadActivity("p", 0)
	if err != nil || len(all) != 5 {
		t.Fatalf("all: %d %v", len(all), err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(s.ActivityPath("p"))
		must(t, err)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v", fi.Mode().Perm())
		}
	}
	// A torn last line is skipped.
	f, err := os.OpenFile(s.ActivityPath("p"), os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	_, _ = f.WriteString(`{"n": 9, "no`)
	must(t, f.Close())
	got, err = s.ReadActivity("p", 1)
	must(t, err)
	if len(got) != 1 || !strings.Contains(string(got[0]), `"n":4`) {
		t.Fatalf("after a torn line: %s", got)
	}
	must(t, s.RemoveActivity("p"))
	must(t, s.RemoveActivity("p"))
	if got, _ := s.ReadActivity("p", 0); len(got) != 0 {
		t.Fatal("RemoveActivity left entries")
	}
}

func TestActivityCapped(t *testing.T) {
	s := Open(t.TempDir())
	pad := strings.Repeat("x", 1000)
	const n = 1500 // about 1.5 MiB
	for i := range n {
		must(t, s.AppendActivity("p", testEntry{N: i, Note: pad}))
	}
	fi, err := os.Stat(s.ActivityPath("p"))
	must(t, err)
	if fi.Size() > MaxActivitySize {
		t.Fatalf("log is %d bytes, cap %d", fi.Size(), MaxActivitySize)
	}
	all, err := s.ReadActivity("p", 0)
	must(t, err)
	var newest, oldest testEntry
	must(t, json.Unmarshal(all[0], &newest))
	must(t, json.Unmarshal(all[len(all)-1], &oldest))
	if newest.N != n-1 || oldest.N < 500 || len(all) < 400 {
		t.Fatalf("kept %d entries, n=%d..%d", len(all), oldest.N, newest.N)
	}
	for i := 1; i < len(all); i++ {
		var e testEntry
		must(t, json.Unmarshal(all[i], &e))
		if e.N != newest.N-i {
			t.Fatalf("entry %d is n=%d: gap or reorder", i, e.N)
		}
	}
}

func TestActivityRejectsBadProfile(t *testing.T) {
	s := Open(t.TempDir())
	for _, p := range []string{"", "../x", "a/b"} {
		if err := s.AppendActivity(p, testEntry{}); err == nil {
			t.Errorf("AppendActivity(%q) accepted", p)
		}
		if _, err := s.ReadActivity(p, 1); err == nil {
			t.Errorf("ReadActivity(%q) accepted", p)
		}
	}
}
