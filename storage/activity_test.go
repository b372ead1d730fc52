package storage

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
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
	for range 2 {
		if _, err := s.RemoveProfileData(context.Background(), "p"); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.ReadActivity("p", 0); len(got) != 0 {
		t.Fatal("RemoveProfileData left activity entries")
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

// TestActivityHugeEntries: one huge server description used to empty the
// log when it was trimmed. Now strings are cut when appended, and a huge
// line already in the file is skipped, not fatal.
func TestActivityHugeEntries(t *testing.T) {
	// 600 kB of two-byte runes after a terminal escape the cleaning drops.
	huge := "\x1b[31m" + strings.Repeat("é", 300_000)
	type nested struct {
		Step   int      `json:"step"`
		Detail []string `json:"detail"`
	}
	type entry struct {
		N           int     `json:"n"`
		Description string  `json:"description"`
		Inner       *nested `json:"inner,omitempty"`
	}
	tests := []struct {
		name  string
		entry entry
	}{
		{"top-level string", entry{N: 100, Description: huge}},
		{"nested strings", entry{N: 100, Inner: &nested{Step: 2, Detail: []string{"short", huge}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Open(t.TempDir())
			for i := range 5 {
				must(t, s.AppendActivity("p", entry{N: i, Description: "older"}))
			}
			// Twice, so that the log would pass MaxActivitySize uncut.
			must(t, s.AppendActivity("p", tt.entry))
			must(t, s.AppendActivity("p", tt.entry))
			must(t, s.AppendActivity("p", entry{N: 200, Description: "newest"}))
			all, err := s.ReadActivity("p", 0)
			must(t, err)
			if len(all) != 8 {
				t.Fatalf("%d entries, want 8", len(all))
			}
			var newest, big, oldest entry
			must(t, json.Unmarshal(all[0], &newest))
			must(t, json.Unmarshal(all[1], &big))
			must(t, json.Unmarshal(all[7], &oldest))
			if newest.N != 200 || oldest.N != 0 || oldest.Description != "older" || big.N != 100 {
				t.Fatalf("entries: newest %+v, oldest %+v, big n=%d", newest, oldest, big.N)
			}
			text := big.Description
			if big.Inner != nil {
				if big.Inner.Step != 2 || len(big.Inner.Detail) != 2 || big.Inner.Detail[0] != "short" {
					t.Fatalf("nested entry changed: %+v", big.Inner)
				}
				text = big.Inner.Detail[1]
			}
			if len(text) > MaxActivityText || !strings.HasSuffix(text, "…") || !strings.HasPrefix(text, "éé") || !utf8.ValidString(text) || strings.Contains(text, "\x1b") {
				t.Fatalf("cut text: %d bytes, %q…", len(text), text[:min(len(text), 20)])
			}
		})
	}
	t.Run("huge line already in the file", func(t *testing.T) {
		s := Open(t.TempDir())
		must(t, s.AppendActivity("p", entry{N: 1, Description: "before"}))
		f, err := os.OpenFile(s.ActivityPath("p"), os.O_APPEND|os.O_WRONLY, 0)
		must(t, err)
		raw, _ := json.Marshal(entry{N: 2, Description: huge})
		_, err = f.Write(append(raw, '\n'))
		must(t, err)
		must(t, f.Close())
		must(t, s.AppendActivity("p", entry{N: 3, Description: "after"}))
		got, err := s.ReadActivity("p", 0)
		must(t, err)
		if len(got) != 2 || !strings.Contains(string(got[0]), `"n":3`) || !strings.Contains(string(got[1]), `"n":1`) {
			t.Fatalf("entries around a huge line: %d, newest %.60s", len(got), got[0])
		}
		// Growing past the cap trims without losing the newest entries.
		for i := range 600 {
			must(t, s.AppendActivity("p", entry{N: 1000 + i, Description: strings.Repeat("z", 1000)}))
		}
		got, err = s.ReadActivity("p", 0)
		must(t, err)
		if len(got) < 400 || !strings.Contains(string(got[0]), `"n":1599`) {
			t.Fatalf("after trimming: %d entries, newest %.40s", len(got), got[0])
		}
	})
	t.Run("entry too long even when cut", func(t *testing.T) {
		s := Open(t.TempDir())
		many := make([]string, 200)
		for i := range many {
			many[i] = strings.Repeat("w", MaxActivityText)
		}
		err := s.AppendActivity("p", nested{Detail: many})
		if err == nil || !strings.Contains(err.Error(), "not recorded") {
			t.Fatalf("AppendActivity of a %d-string entry: %v", len(many), err)
		}
	})
}
