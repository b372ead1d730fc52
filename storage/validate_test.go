package storage

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		want string // "" = valid
	}{
		{"prod", ""},
		{"Prod-1.eu_west", ""},
		{"1st", ""},
		{"console", ""}, // only the exact device names are reserved
		{"com10", ""},
		{"lpt", ""},
		{".", "start with a letter or a digit"},
		{"..", "start with a letter or a digit"},
		{".hidden", "start with a letter or a digit"},
		{"-x", "start with a letter or a digit"},
		{"_x", "start with a letter or a digit"},
		{"CON", "device name Windows reserves"},
		{"con", "device name Windows reserves"},
		{"Con.prod", "device name Windows reserves"},
		{"nul.txt", "device name Windows reserves"},
		{"PRN", "device name Windows reserves"},
		{"aux", "device name Windows reserves"},
		{"COM1", "device name Windows reserves"},
		{"com9.a.b", "device name Windows reserves"},
		{"LPT1", "device name Windows reserves"},
		{"lpt9", "device name Windows reserves"},
		{"", "1 to 64"},
		{"a b", "letters, digits"},
		{"../x", "letters, digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.name)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "name" || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.name) {
				t.Fatalf("ValidateName(%q) = %v, want a name error with %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestParsePorts(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr string
	}{
		{"8765", []int{8765}, ""},
		{"8765,8766", []int{8765, 8766}, ""},
		{"8765, 8766 ;8767", []int{8765, 8766, 8767}, ""},
		{"8765\t8766 8767", []int{8765, 8766, 8767}, ""},
		{" ,; ", nil, ""},
		{"", nil, ""},
		{"1024;65535", []int{1024, 65535}, ""},
		{"8765,x", nil, `"x" is not a number`},
		{"8765.5", nil, "not a number"},
		{"80", nil, "between 1024 and 65535"},
		{"65536", nil, "between 1024 and 65535"},
		{"-1", nil, "between 1024 and 65535"},
		{"8765 8765", nil, "twice"},
		{"2001 2002 2003 2004 2005 2006", nil, "at most 5"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePorts(tt.in)
			if tt.wantErr == "" {
				if err != nil || !slices.Equal(got, tt.want) {
					t.Fatalf("ParsePorts(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
				}
				return
			}
			var fe *FieldError
			if got != nil || !errors.As(err, &fe) || fe.Field != "ports" || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParsePorts(%q) = %v, %v; want a ports error with %q", tt.in, got, err, tt.wantErr)
			}
		})
	}
}

// TestEnvironmentSavedCanonical: "Prod" used to be stored as typed and later
// shown as a custom URL.
func TestEnvironmentSavedCanonical(t *testing.T) {
	tests := []struct {
		typed, want string
	}{
		{"Prod", "production"},
		{" PRODUCTION ", "production"},
		{"Demo", "demo"},
		{"", "demo"},
		{"https://sandbox.example:8443/", "https://sandbox.example:8443"},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			s := Open(t.TempDir())
			p := testProfile("p")
			p.Environment = tt.typed
			must(t, ValidateProfile(p))
			must(t, s.Update(context.Background(), func(c *Config) error {
				c.Profiles = append(c.Profiles, p)
				return nil
			}))
			data, err := os.ReadFile(s.Path())
			must(t, err)
			if !strings.Contains(string(data), `"environment": "`+tt.want+`"`) {
				t.Fatalf("saved %s", data)
			}
			// A file written by hand (or an older build) reads canonical too.
			raw := `{"version":1,"profiles":[{"name":"h","environment":"` + strings.TrimSpace(tt.typed) + `","integration_key":"1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f"}]}`
			must(t, os.WriteFile(s.Path(), []byte(raw), 0o600))
			c, err := Open(s.Dir()).Load()
			must(t, err)
			if h, _ := c.Profile("h"); h.Environment != tt.want {
				t.Fatalf("loaded %q, want %q", h.Environment, tt.want)
			}
		})
	}
}
