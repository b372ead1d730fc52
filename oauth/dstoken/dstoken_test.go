package dstoken

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	testUser    = "4799e5e9-1559-4915-9862-cf4713bbcacc"
	testSession = "0c3e2d1f-8a7b-4c6d-9e5f-1a2b3c4d5e6f"
	testKey     = "7c2b8d3e-5f4a-4e1b-9c6d-2a1f0e3b4c5d"
)

// handBuilt is an access-token payload assembled byte by byte from
// the observed layout (times and GUID bytes computed independently with
// Python's datetime and uuid.bytes_le), not with Encode.
var handBuilt = strings.Join([]string{
	"01",           // version
	"0b000000",     // 11 fields
	"0100", "0500", // type = access
	"0700", "80c0bf7a3f0bdc48", // issued 2024-01-02T03:04:05Z, Kind=UTC
	"0800", "8000e388820bdc48", // expires 2024-01-02T11:04:05Z
	"0200", "e9e59947591515499862cf4713bbcacc", // user GUID, .NET layout
	"1500", "01000000", // site 1
	"1800", "02000000", "05000000", "51000000", // scopes [5 81]
	"0d00", "24000000", hex.EncodeToString([]byte(testKey)), // aud
	"2200", "24000000", hex.EncodeToString([]byte(testKey)), // azp
	"1200", "01000000", "0b000000", hex.EncodeToString([]byte("interactive")), // amr
	"3000", "00b8b7e83e0bdc48", // auth time 2024-01-02T03:00:00Z
	"3700", "1f2d3e0c7b8a6d4c9e5f1a2b3c4d5e6f", // session GUID
}, "")

var handClaims = Claims{
	Type:            TypeAccess,
	IssuedAt:        time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	ExpiresAt:       time.Date(2024, 1, 2, 11, 4, 5, 0, time.UTC),
	AuthTime:        time.Date(2024, 1, 2, 3, 0, 0, 0, time.UTC),
	UserID:          testUser,
	SessionID:       testSession,
	Site:            1,
	ScopeIDs:        []uint32{5, 81},
	Audience:        testKey,
	AuthorizedParty: testKey,
	AMR:             []string{"interactive"},
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tokenFromPayload(p []byte) string {
	return base64.RawURLEncoding.EncodeToString([]byte(Header)) + "." +
		base64.RawURLEncoding.EncodeToString(p) + ".c2ln"
}

func TestDecodeHandBuiltSample(t *testing.T) {
	got, err := Decode(tokenFromPayload(mustHex(t, handBuilt)))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !reflect.DeepEqual(got, handClaims) {
		t.Errorf("Decode =\n %+v\nwant\n %+v", got, handClaims)
	}
}

func TestEncodeMatchesHandBuiltLayout(t *testing.T) {
	tok := Encode(handClaims, func([]byte) []byte { return []byte("sig") })
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("Encode gave %d parts", len(parts))
	}
	if want := base64.RawURLEncoding.EncodeToString([]byte(Header)); parts[0] != want {
		t.Errorf("header part = %q, want %q", parts[0], want)
	}
	if !strings.HasPrefix(tok, "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2") {
		t.Errorf("token does not start like DocuSign's")
	}
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(p); got != handBuilt {
		t.Errorf("payload =\n %s\nwant\n %s", got, handBuilt)
	}
	if parts[2] != "c2ln" {
		t.Errorf("signature part = %q, want base64url of \"sig\"", parts[2])
	}
}

func TestEncodePassesSigningInput(t *testing.T) {
	var seen string
	tok := Encode(Claims{Type: TypeCode}, func(in []byte) []byte { seen = string(in); return nil })
	if !strings.HasPrefix(tok, seen+".") || strings.Count(seen, ".") != 1 {
		t.Errorf("signing input is not header.payload of the token")
	}
	if !strings.HasSuffix(tok, ".") {
		t.Errorf("nil signature should give an empty third part")
	}
	if Encode(Claims{}, nil) == "" {
		t.Error("nil sign func should still encode")
	}
}

func TestRoundTrip(t *testing.T) {
	base := time.Date(2026, 3, 4, 5, 6, 7, 123456700, time.UTC)
	tests := []struct {
		name string
		in   Claims
		want Claims // zero means same as in
	}{
		{name: "full access", in: handClaims},
		{name: "minimal refresh", in: Claims{Type: TypeRefresh, IssuedAt: base, ExpiresAt: base.Add(30 * 24 * time.Hour)}},
		{name: "code with many scopes", in: Claims{Type: TypeCode, IssuedAt: base, ExpiresAt: base.Add(2 * time.Minute),
			UserID: testUser, ScopeIDs: []uint32{5, 29, 81, 2000}, Audience: "k", AMR: []string{"interactive", "mfa", ""}}},
		{name: "non-UTC zone normalised", in: Claims{Type: TypeAccess, IssuedAt: base.In(time.FixedZone("X", 5*3600)), ExpiresAt: base.Add(time.Hour)},
			want: Claims{Type: TypeAccess, IssuedAt: base, ExpiresAt: base.Add(time.Hour)}},
		{name: "sub-tick precision truncated", in: Claims{Type: TypeAccess, IssuedAt: base.Add(99), ExpiresAt: base.Add(150)},
			want: Claims{Type: TypeAccess, IssuedAt: base, ExpiresAt: base.Add(100)}},
		{name: "uppercase braced GUID", in: Claims{Type: TypeAccess, ExpiresAt: base, UserID: "{" + strings.ToUpper(testUser) + "}"},
			want: Claims{Type: TypeAccess, IssuedAt: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), ExpiresAt: base, UserID: testUser}},
		{name: "invalid GUIDs omitted", in: Claims{Type: TypeAccess, IssuedAt: base, ExpiresAt: base, UserID: "nope", SessionID: "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"},
			want: Claims{Type: TypeAccess, IssuedAt: base, ExpiresAt: base}},
		{name: "pre-year-1 clamped", in: Claims{Type: TypeAccess, IssuedAt: time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), ExpiresAt: base},
			want: Claims{Type: TypeAccess, IssuedAt: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), ExpiresAt: base}},
		{name: "unknown type kept", in: Claims{Type: 42, IssuedAt: base, ExpiresAt: base}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if reflect.DeepEqual(want, Claims{}) {
				want = tt.in
			}
			got, err := Decode(Encode(tt.in, func([]byte) []byte { return []byte{1, 2, 3} }))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !got.IssuedAt.Equal(want.IssuedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) || !got.AuthTime.Equal(want.AuthTime) {
				t.Errorf("times = %v %v %v, want %v %v %v", got.IssuedAt, got.ExpiresAt, got.AuthTime, want.IssuedAt, want.ExpiresAt, want.AuthTime)
			}
			got.IssuedAt, got.ExpiresAt, got.AuthTime = time.Time{}, time.Time{}, time.Time{}
			want.IssuedAt, want.ExpiresAt, want.AuthTime = time.Time{}, time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestDecodeRejectsGarbage(t *testing.T) {
	h := base64.RawURLEncoding.EncodeToString([]byte(Header))
	enc := base64.RawURLEncoding.EncodeToString
	full := mustHex(t, handBuilt)
	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"one part", "abc"},
		{"four parts", "a.b.c.d"},
		{"header not base64", "!!!." + enc(full) + ".x"},
		{"header not JSON", enc([]byte("nope")) + "." + enc(full) + ".x"},
		{"payload not base64", h + ".@@@.x"},
		{"JSON JWT payload", h + "." + enc([]byte(`{"sub":"x","exp":1}`)) + ".x"},
		{"empty payload", h + "..x"},
		{"wrong version", h + "." + enc(append([]byte{2}, full[1:]...)) + ".x"},
		{"no count", h + "." + enc([]byte{1, 5, 0}) + ".x"},
		{"zero fields", h + "." + enc([]byte{1, 0, 0, 0, 0}) + ".x"},
		{"truncated before expiry", h + "." + enc(full[:20]) + ".x"},
		{"unknown field before expiry", h + "." + enc(mustHex(t, "0102000000"+"0100"+"0500"+"9999"+"00")) + ".x"},
		{"huge count tiny body", h + "." + enc(mustHex(t, "01ffffffff0100")) + ".x"},
		{"expiry out of .NET range", h + "." + enc(mustHex(t, "0101000000"+"0800"+"ffffffffffffff3f")) + ".x"},
		{"huge scope count", h + "." + enc(mustHex(t, "0101000000"+"1800"+"ffffffff")) + ".x"},
		{"huge string length", h + "." + enc(mustHex(t, "0101000000"+"0d00"+"ffffff7f"+"61")) + ".x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.token)
			if err == nil {
				t.Fatal("Decode accepted garbage")
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if len(tt.token) > 8 && strings.Contains(err.Error(), tt.token[len(tt.token)/2:]) {
				t.Errorf("error leaks token text")
			}
		})
	}
}

func TestDecodeBestEffort(t *testing.T) {
	full := mustHex(t, handBuilt)
	// After type, issued, expiry: 5+4+10+10 = 29 bytes.
	afterExpiry := 29
	tests := []struct {
		name    string
		payload []byte
		check   func(t *testing.T, c Claims)
	}{
		{"truncated after expiry", full[:afterExpiry+5], func(t *testing.T, c Claims) {
			if !c.ExpiresAt.Equal(handClaims.ExpiresAt) || c.UserID != "" {
				t.Errorf("got %+v", c)
			}
		}},
		{"unknown field after expiry", append(append([]byte{}, full[:afterExpiry]...), 0x99, 0x99, 1, 2, 3), func(t *testing.T, c Claims) {
			if !c.ExpiresAt.Equal(handClaims.ExpiresAt) || c.Type != TypeAccess {
				t.Errorf("got %+v", c)
			}
		}},
		{"trailing bytes ignored", append(append([]byte{}, full...), 0xde, 0xad), func(t *testing.T, c Claims) {
			if !reflect.DeepEqual(c, handClaims) {
				t.Errorf("got %+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Decode(tokenFromPayload(tt.payload))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestDecodeAcceptsPaddingAndEmptySignature(t *testing.T) {
	tok := Encode(handClaims, nil)
	parts := strings.Split(tok, ".")
	padded := base64.URLEncoding.EncodeToString(mustHex(t, handBuilt))
	if _, err := Decode(parts[0] + "." + padded + "."); err != nil {
		t.Errorf("padded payload rejected: %v", err)
	}
}

func TestDotNetTime(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999900, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC),
	} {
		v := toDotNet(tm)
		if v>>62 != 1 {
			t.Errorf("%v: kind bits = %d, want 1 (UTC)", tm, v>>62)
		}
		got, ok := fromDotNet(v)
		if !ok || !got.Equal(tm) {
			t.Errorf("%v round-trips to %v (ok=%v)", tm, got, ok)
		}
		// Local kind (top bit) is masked off, not rejected.
		if got, ok := fromDotNet(v&(1<<62-1) | 1<<63); !ok || !got.Equal(tm) {
			t.Errorf("%v with Local kind bits decodes to %v", tm, got)
		}
	}
}

func TestScopeIDs(t *testing.T) {
	for name, want := range map[string]uint32{"signature": 5, "impersonation": 29, "click.manage": 81} {
		if ScopeIDs[name] != want {
			t.Errorf("ScopeIDs[%q] = %d, want %d", name, ScopeIDs[name], want)
		}
	}
	seen := map[uint32]string{}
	for name, id := range ScopeIDs {
		if other, dup := seen[id]; dup {
			t.Errorf("scopes %q and %q share id %d", name, other, id)
		}
		seen[id] = name
		if got, ok := ScopeName(id); !ok || got != name {
			t.Errorf("ScopeName(%d) = %q, %v", id, got, ok)
		}
	}
	if _, ok := ScopeName(999999); ok {
		t.Error("ScopeName of an unknown id succeeded")
	}
	if TypeAccess.String() != "access" || Type(3).String() != "type(3)" {
		t.Error("Type.String")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(tokenFromPayload(mustHex(f, handBuilt)))
	f.Add(Encode(Claims{Type: TypeRefresh, ExpiresAt: time.Now()}, nil))
	f.Add("")
	f.Add("..")
	f.Add("a.b.c")
	f.Add(tokenFromPayload([]byte{1, 255, 255, 255, 255, 0x18, 0, 255, 255, 255, 255}))
	f.Add(tokenFromPayload([]byte{1, 2, 0, 0, 0, 0x12, 0, 3, 0, 0, 0, 255, 255, 255, 255}))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Decode(s)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error does not wrap ErrMalformed: %v", err)
		}
		// Whatever decoded must re-encode and decode to the same claims.
		if err == nil {
			again, err2 := Decode(Encode(c, nil))
			if err2 != nil {
				t.Fatalf("re-decode failed: %v", err2)
			}
			if !again.ExpiresAt.Equal(c.ExpiresAt) || again.Type != c.Type {
				t.Fatalf("re-encode changed expiry or type")
			}
		}
	})
}
