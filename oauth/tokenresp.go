package oauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// tokenResponse is the one parse of a token endpoint answer that counts:
// the gate makes it, the session is built from it, and x/oauth2 only ever
// sees a canonical body re-encoded from it (see canonical).
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
	// RetryAfter is the Retry-After header's time on a 429 or 503.
	RetryAfter time.Time
	// rescued is the refresh token of a 2xx answer that was otherwise
	// unusable: the server may have rotated, so it must not be lost. It is
	// a secret and never printed.
	rescued string
}

// parseTokenResponse reads a token endpoint response leniently (expires_in as
// an integer, a float or a numeric string; unknown fields ignored). Server
// text in the reply is kept raw: the classifier cleans and redacts it
// before shortening it. It returns the
// fields on success, and otherwise a serverReply describing the failure for
// classify. It never panics and never copies token values into the reply.
func parseTokenResponse(status int, contentType string, body []byte) (*tokenResponse, *serverReply) {
	r := inspectReply(status, contentType, body)
	var raw map[string]json.RawMessage
	if r.HTML || json.Unmarshal(body, &raw) != nil || raw == nil {
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
	if t.ErrorCode != "" || t.ErrorDesc != "" {
		r.Code, r.Description = t.ErrorCode, t.ErrorDesc
	}
	if status < 200 || status > 299 || t.ErrorCode != "" {
		return nil, r
	}
	if !ok || t.AccessToken == "" || t.ExpiresIn < 0 {
		r.Malformed = true
		r.rescued = t.RefreshToken
		return nil, r
	}
	return t, nil
}

// parseExpiresIn accepts 28800, 28800.0 or "28800"; a fraction is dropped.
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
		r.Code, _ = e.Error.(string)
		r.Description, _ = e.ErrorDescription.(string)
	}
	return r
}

// canonical re-encodes a parsed answer in the one shape x/oauth2 reads
// without fail (expires_in as an integer), so that x/oauth2 can never
// disagree with the gate's parse.
func (t *tokenResponse) canonical() []byte {
	b, _ := json.Marshal(struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type,omitempty"`
		RefreshToken string `json:"refresh_token,omitempty"`
		ExpiresIn    int64  `json:"expires_in,omitempty"`
		Scope        string `json:"scope,omitempty"`
	}{t.AccessToken, t.TokenType, t.RefreshToken, t.ExpiresIn, t.Scope})
	return b
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP
// date. It returns the zero time for none or nonsense, and caps the wait at
// one day so a hostile header cannot park a session for good.
func parseRetryAfter(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	var at time.Time
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return time.Time{}
		}
		if n > 86400 {
			n = 86400
		}
		at = now.Add(time.Duration(n) * time.Second)
	} else if t, err := http.ParseTime(v); err == nil {
		at = t.UTC()
		if at.Before(now) {
			return time.Time{}
		}
		if at.After(now.Add(24 * time.Hour)) {
			at = now.Add(24 * time.Hour)
		}
	}
	return at
}

// describe is used in tests and logs.
func (r *serverReply) String() string {
	return fmt.Sprintf("HTTP %d %s code=%q html=%v malformed=%v", r.Status, r.ContentType, r.Code, r.HTML, r.Malformed)
}
