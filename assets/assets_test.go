package assets

import (
	"bytes"
	"image/png"
	"testing"
)

func TestIconsDecode(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		size int
	}{
		{"icon", Icon.Content(), 512},
		{"ok", TrayOK.Content(), 64},
		{"warn", TrayWarn.Content(), 64},
		{"error", TrayError.Content(), 64},
	} {
		img, err := png.Decode(bytes.NewReader(tc.data))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if b := img.Bounds(); b.Dx() != tc.size || b.Dy() != tc.size {
			t.Errorf("%s: size %v, want %d", tc.name, b, tc.size)
		}
	}
}
