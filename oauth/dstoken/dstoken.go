// Package dstoken reads and writes the token layout DocuSign's account server
// has been observed to use for authorization codes, access tokens and refresh
// tokens.
//
// A token looks like a JWS, header.payload.signature, each part base64url
// without padding. The header is JSON ({"typ":"MT","alg":"RS256","kid":...})
// but the payload is a proprietary binary TLV, not JSON: a version byte 0x01,
// a little-endian uint32 field count, then per field a little-endian uint16 id
// followed by a value whose encoding depends on the id.
//
// DocuSign does not document this format. The field meanings are a best guess
// from public sample tokens, and a client must treat real tokens as opaque:
// Decode is a best-effort hint (for example the refresh token's expiry), never
// a basis for security decisions. Signatures are not verified; DocuSign's
// signing keys are not published. Encode exists so that the local sandbox
// server can mint tokens that look like DocuSign's.
//
// No error returned by this package contains any part of a token.
package dstoken

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Type is a token's type, field 1 of the payload.
type Type uint16

// The token types observed in DocuSign tokens.
const (
	// TypeAccess is an access token (sent as a Bearer token).
	TypeAccess Type = 5
	// TypeCode is an authorization code.
	TypeCode Type = 6
	// TypeRefresh is a refresh token.
	TypeRefresh Type = 8
)

// String names the type ("access", "code", "refresh" or "type(N)").
func (t Type) String() string {
	switch t {
	case TypeAccess:
		return "access"
	case TypeCode:
		return "code"
	case TypeRefresh:
		return "refresh"
	}
	return fmt.Sprintf("type(%d)", uint16(t))
}

// Claims are the payload fields this package understands. Zero values mean
// "absent": Encode omits them (except Type, IssuedAt and ExpiresAt, which it
// always writes) and Decode leaves them zero when the token lacks them.
type Claims struct {
	// Type is field 1: access, code or refresh.
	Type Type
	// IssuedAt is field 7, the issue instant (UTC, 100 ns resolution).
	IssuedAt time.Time
	// ExpiresAt is field 8, the expiry instant (UTC, 100 ns resolution).
	ExpiresAt time.Time
	// AuthTime is field 0x30, the time of the original interactive login.
	AuthTime time.Time
	// UserID is field 2, the user's GUID in lowercase text form
	// (presumably userinfo's "sub"). Encode omits it unless it parses as a GUID.
	UserID string
	// SessionID is field 0x37, a GUID shared by the tokens of one login
	// session. Encode omits it unless it parses as a GUID.
	SessionID string
	// Site is field 0x15 (1 has been seen on demo).
	Site uint32
	// ScopeIDs is field 0x18, the numeric ids of the granted scopes
	// (see ScopeIDs for the known names).
	ScopeIDs []uint32
	// Audience is field 0x0d, the integration key.
	Audience string
	// AuthorizedParty is field 0x22, the integration key.
	AuthorizedParty string
	// AMR is field 0x12, the authentication methods, e.g. ["interactive"].
	AMR []string
}

// ScopeIDs maps scope names to the numeric ids carried in tokens. The ids of
// signature, impersonation and click.manage were matched against public
// sample tokens. DocuSign's id for extended (and for the others listed) is
// unknown: the ids from 2000 up are sandbox-only inventions, used by the
// local sandbox server so that its tokens can record those scopes. Do not
// expect them in real DocuSign tokens.
var ScopeIDs = map[string]uint32{
	"signature":     5,
	"impersonation": 29,
	"click.manage":  81,
	// Sandbox-only ids (the real ones are unknown).
	"extended":   2000,
	"openid":     2001,
	"cors":       2002,
	"click.send": 2003,
}

// ScopeName returns the scope name for a numeric id from ScopeIDs.
func ScopeName(id uint32) (string, bool) {
	for name, v := range ScopeIDs {
		if v == id {
			return name, true
		}
	}
	return "", false
}

// Header is the JSON header DocuSign's demo server puts on its tokens.
const Header = `{"typ":"MT","alg":"RS256","kid":"68185ff1-4e51-4ce9-af1c-689812203317"}`

// Payload field ids.
const (
	fieldType      = 0x01
	fieldUserID    = 0x02
	fieldIssuedAt  = 0x07
	fieldExpiresAt = 0x08
	fieldAudience  = 0x0d
	fieldAMR       = 0x12
	fieldSite      = 0x15
	fieldScopes    = 0x18
	fieldAZP       = 0x22
	fieldAuthTime  = 0x30
	fieldSession   = 0x37
)

const payloadVersion = 0x01

// ErrMalformed is wrapped by every error Decode returns.
var ErrMalformed = errors.New("dstoken: malformed token")

var b64 = base64.RawURLEncoding

// Encode builds header.payload.signature. sign receives the signing input
// (the base64url header, a dot and the base64url payload) and returns the raw
// signature bytes, which Encode base64url-encodes; a nil sign gives an empty
// signature part.
func Encode(c Claims, sign func(signingInput []byte) []byte) string {
	var p []byte
	n := uint32(0)
	field := func(id uint16) { p = binary.LittleEndian.AppendUint16(p, id); n++ }

	field(fieldType)
	p = binary.LittleEndian.AppendUint16(p, uint16(c.Type))
	field(fieldIssuedAt)
	p = binary.LittleEndian.AppendUint64(p, toDotNet(c.IssuedAt))
	field(fieldExpiresAt)
	p = binary.LittleEndian.AppendUint64(p, toDotNet(c.ExpiresAt))
	if g, ok := parseGUID(c.UserID); ok {
		field(fieldUserID)
		p = append(p, g[:]...)
	}
	if c.Site != 0 {
		field(fieldSite)
		p = binary.LittleEndian.AppendUint32(p, c.Site)
	}
	if len(c.ScopeIDs) > 0 {
		field(fieldScopes)
		p = binary.LittleEndian.AppendUint32(p, uint32(len(c.ScopeIDs)))
		for _, id := range c.ScopeIDs {
			p = binary.LittleEndian.AppendUint32(p, id)
		}
	}
	if c.Audience != "" {
		field(fieldAudience)
		p = appendString(p, c.Audience)
	}
	if c.AuthorizedParty != "" {
		field(fieldAZP)
		p = appendString(p, c.AuthorizedParty)
	}
	if len(c.AMR) > 0 {
		field(fieldAMR)
		p = binary.LittleEndian.AppendUint32(p, uint32(len(c.AMR)))
		for _, s := range c.AMR {
			p = appendString(p, s)
		}
	}
	if !c.AuthTime.IsZero() {
		field(fieldAuthTime)
		p = binary.LittleEndian.AppendUint64(p, toDotNet(c.AuthTime))
	}
	if g, ok := parseGUID(c.SessionID); ok {
		field(fieldSession)
		p = append(p, g[:]...)
	}

	payload := make([]byte, 0, 5+len(p))
	payload = append(payload, payloadVersion)
	payload = binary.LittleEndian.AppendUint32(payload, n)
	payload = append(payload, p...)

	input := b64.EncodeToString([]byte(Header)) + "." + b64.EncodeToString(payload)
	var sig []byte
	if sign != nil {
		sig = sign([]byte(input))
	}
	return input + "." + b64.EncodeToString(sig)
}

func appendString(p []byte, s string) []byte {
	p = binary.LittleEndian.AppendUint32(p, uint32(len(s)))
	return append(p, s...)
}

// Decode parses a token's header and payload without verifying the
// signature. It never panics and allocates at most in proportion to the
// token's length. Parsing stops at the first field id it does not know or at
// a truncated field; Decode then returns what it read if the expiry (field 8)
// was among it, and an error otherwise. Errors wrap ErrMalformed and never
// contain the token.
func Decode(token string) (Claims, error) {
	var c Claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, fmt.Errorf("%w: want 3 dot-separated parts, got %d", ErrMalformed, len(parts))
	}
	hdr, err := b64.DecodeString(strings.TrimRight(parts[0], "="))
	if err != nil {
		return c, fmt.Errorf("%w: header is not base64url", ErrMalformed)
	}
	var h map[string]any
	if json.Unmarshal(hdr, &h) != nil {
		return c, fmt.Errorf("%w: header is not a JSON object", ErrMalformed)
	}
	payload, err := b64.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return c, fmt.Errorf("%w: payload is not base64url", ErrMalformed)
	}
	return decodePayload(payload)
}

// reader is a bounds-checked cursor over the payload.
type reader struct {
	b   []byte
	off int
}

func (r *reader) left() int { return len(r.b) - r.off }

func (r *reader) take(n int) ([]byte, bool) {
	if n < 0 || n > r.left() {
		return nil, false
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v, true
}

func (r *reader) u16() (uint16, bool) {
	v, ok := r.take(2)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint16(v), true
}

func (r *reader) u32() (uint32, bool) {
	v, ok := r.take(4)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint32(v), true
}

func (r *reader) u64() (uint64, bool) {
	v, ok := r.take(8)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint64(v), true
}

func (r *reader) str() (string, bool) {
	n, ok := r.u32()
	if !ok || uint64(n) > uint64(r.left()) {
		return "", false
	}
	v, _ := r.take(int(n))
	return string(v), true
}

func (r *reader) time() (time.Time, bool) {
	v, ok := r.u64()
	if !ok {
		return time.Time{}, false
	}
	return fromDotNet(v)
}

func (r *reader) guid() (string, bool) {
	v, ok := r.take(16)
	if !ok {
		return "", false
	}
	return formatGUID(v), true
}

func decodePayload(b []byte) (Claims, error) {
	var c Claims
	r := &reader{b: b}
	ver, ok := r.take(1)
	if !ok {
		return c, fmt.Errorf("%w: empty payload", ErrMalformed)
	}
	if ver[0] != payloadVersion {
		return c, fmt.Errorf("%w: unknown payload version %d", ErrMalformed, ver[0])
	}
	count, ok := r.u32()
	if !ok {
		return c, fmt.Errorf("%w: payload truncated in the field count", ErrMalformed)
	}
	haveExpiry := false
	stop := func(why string, i uint32) (Claims, error) {
		if haveExpiry {
			return c, nil
		}
		return Claims{}, fmt.Errorf("%w: %s at field %d, before the expiry", ErrMalformed, why, i)
	}
	for i := uint32(0); i < count; i++ {
		id, ok := r.u16()
		if !ok {
			return stop("payload truncated", i)
		}
		switch id {
		case fieldType:
			var v uint16
			v, ok = r.u16()
			c.Type = Type(v)
		case fieldIssuedAt:
			c.IssuedAt, ok = r.time()
		case fieldExpiresAt:
			c.ExpiresAt, ok = r.time()
			haveExpiry = haveExpiry || ok
		case fieldAuthTime:
			c.AuthTime, ok = r.time()
		case fieldUserID:
			c.UserID, ok = r.guid()
		case fieldSession:
			c.SessionID, ok = r.guid()
		case fieldSite:
			c.Site, ok = r.u32()
		case fieldAudience:
			c.Audience, ok = r.str()
		case fieldAZP:
			c.AuthorizedParty, ok = r.str()
		case fieldScopes:
			c.ScopeIDs, ok = r.u32s()
		case fieldAMR:
			c.AMR, ok = r.strs()
		default:
			return stop(fmt.Sprintf("unknown field id %#x", id), i)
		}
		if !ok {
			return stop(fmt.Sprintf("bad value for field id %#x", id), i)
		}
	}
	if !haveExpiry {
		return Claims{}, fmt.Errorf("%w: no expiry field", ErrMalformed)
	}
	return c, nil
}

// u32s reads a uint32 count and that many uint32s; the count is checked
// against the bytes left before anything is allocated.
func (r *reader) u32s() ([]uint32, bool) {
	n, ok := r.u32()
	if !ok || uint64(n)*4 > uint64(r.left()) {
		return nil, false
	}
	out := make([]uint32, n)
	for i := range out {
		out[i], _ = r.u32()
	}
	return out, true
}

// strs reads a uint32 count and that many length-prefixed strings; each
// string needs at least its 4-byte length, which bounds the count.
func (r *reader) strs() ([]string, bool) {
	n, ok := r.u32()
	if !ok || uint64(n)*4 > uint64(r.left()) {
		return nil, false
	}
	out := make([]string, 0, n)
	for i := uint32(0); i < n; i++ {
		s, ok := r.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// .NET DateTime constants: ticks are 100 ns units since 0001-01-01 UTC.
const (
	ticksPerSecond  = 10_000_000
	unixEpochTicks  = 621_355_968_000_000_000 // 1970-01-01 in .NET ticks
	maxTicks        = 3_155_378_975_999_999_999
	ticksMask       = 1<<62 - 1
	kindUTC         = 1 << 62
	secondsToYear1  = unixEpochTicks / ticksPerSecond
	nanosecondsTick = 100
)

// toDotNet returns t as DateTime.ToBinary with Kind=UTC, clamped to .NET's range.
func toDotNet(t time.Time) uint64 {
	t = t.UTC()
	sec := t.Unix()
	var ticks int64
	switch {
	case sec < -secondsToYear1:
		ticks = 0
	case sec >= (maxTicks-unixEpochTicks)/ticksPerSecond:
		ticks = maxTicks
	default:
		ticks = (sec+secondsToYear1)*ticksPerSecond + int64(t.Nanosecond()/nanosecondsTick)
	}
	return uint64(ticks) | kindUTC
}

// fromDotNet undoes DateTime.ToBinary, ignoring the Kind bits (DocuSign's
// values are UTC); ticks beyond .NET's range are rejected.
func fromDotNet(v uint64) (time.Time, bool) {
	ticks := int64(v & ticksMask)
	if ticks > maxTicks {
		return time.Time{}, false
	}
	rel := ticks - unixEpochTicks
	sec, rem := rel/ticksPerSecond, rel%ticksPerSecond
	if rem < 0 {
		sec--
		rem += ticksPerSecond
	}
	return time.Unix(sec, rem*nanosecondsTick).UTC(), true
}

// parseGUID parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (optionally in
// braces, any case) into .NET's byte layout: the first three groups are
// little-endian, the last eight bytes are in text order.
func parseGUID(s string) ([16]byte, bool) {
	var g [16]byte
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return g, false
	}
	raw, err := hex.DecodeString(s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:])
	if err != nil {
		return g, false
	}
	g[0], g[1], g[2], g[3] = raw[3], raw[2], raw[1], raw[0]
	g[4], g[5] = raw[5], raw[4]
	g[6], g[7] = raw[7], raw[6]
	copy(g[8:], raw[8:])
	return g, true
}

// formatGUID renders 16 bytes in .NET layout as lowercase GUID text.
func formatGUID(b []byte) string {
	raw := []byte{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]}
	raw = append(raw, b[8:16]...)
	h := hex.EncodeToString(raw)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
