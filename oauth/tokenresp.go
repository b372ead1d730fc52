package oauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"strconv"
	"strings"
)

// tokenResponse holds the fields of a token endpoint answer that Token Desk
// reads itself; x/oauth2 builds the oauth2.Token from the same body.
type tokenResponse struct {
	AccessToken  string
	RefreshToken string
	TokenType    string
	ExpiresIn    int64
	Scope        string
	ErrorCode    string
	ErrorDesc    string
}

// serverReply is an account server's answer to one HTTP call, as the error
// classifier sees it.
type serverReply struct {
	Status      int
	ContentType string
	Code        string
	Description string
	HTML        bool
	Malformed   bool
}

// parseTokenResponse reads a token endpoint response leniently (expires_in as
// a number or a numeric string; unknown fields ignored). It returns the
// fields on success, and otherwise a serverReply describing the failure for
// classify. It never panics and never copies token values into the reply.
func parseTokenResponse(status int, contentType string, body []byte) (*tokenResponse, *serverReply) {
	r := inspectReply(status, contentType, body)
	var raw map[string]json.RawMessage
	if r.HTML || json.Unmarshal(body, &raw) != nil {
		if !r.HTML {
			r.Malformed = true
		}
		return nil, r
	}
	t := &tokenResponse{}
	str := func(k string) (string, bool) {
		v, ok := raw[k]
		if !ok || string(v) == "null" {
			return "", true
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	}
	ok := true
	for k, dst := range map[string]*string{
		"access_token": &t.AccessToken, "refresh_token": &t.RefreshToken, "token_type": &t.TokenType,
		"scope": &t.Scope, "error": &t.ErrorCode, "error_description": &t.ErrorDesc,
	} {
		s, good := str(k)
		ok = ok && good
		*dst = s
	}
	if v, present := raw["expires_in"]; present {
		n, good := parseExpiresIn(v)
		ok = ok && good
		t.ExpiresIn = n
	}
	r.Code, r.Description = t.ErrorCode, t.ErrorDesc
	if status < 200 || status > 299 || t.ErrorCode != "" {
		return nil, r
	}
	if !ok || t.AccessToken == "" || t.ExpiresIn < 0 {
		r.Malformed = true
		return nil, r
	}
	return t, nil
}

// parseExpiresIn accepts 28800 or "28800".
func parseExpiresIn(v json.RawMessage) (int64, bool) {
	var n json.Number
	if err := json.Unmarshal(v, &n); err != nil {
		return 0, false
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		f, ferr := n.Float64()
		if ferr != nil || f < 0 || f > 1<<40 {
			return 0, false
		}
		i = int64(f)
	}
	return i, i >= 0 && i <= 1<<40
}

// inspectReply records status and content type, recognises HTML, and picks
// the OAuth error fields out of a JSON error body.
func inspectReply(status int, contentType string, body []byte) *serverReply {
	mt, _, _ := mime.ParseMediaType(contentType)
	r := &serverReply{Status: status, ContentType: mt}
	trimmed := bytes.TrimSpace(body)
	if mt == "text/html" || bytes.HasPrefix(trimmed, []byte("<")) {
		r.HTML = true
		return r
	}
	var e struct {
		Error            any `json:"error"`
		ErrorDescription any `json:"error_description"`
	}
	if json.Unmarshal(trimmed, &e) == nil {
		r.Code = shortField(e.Error)
		r.Description = shortField(e.ErrorDescription)
	}
	return r
}

// shortField keeps a server-supplied string field printable and short, so an
// error message cannot be flooded by a hostile body.
func shortField(v any) string {
	s, ok := v.(string)
	if !ok {
		return ""
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}

// describe is used in tests and logs.
func (r *serverReply) String() string {
	return fmt.Sprintf("HTTP %d %s code=%q html=%v malformed=%v", r.Status, r.ContentType, r.Code, r.HTML, r.Malformed)
}
