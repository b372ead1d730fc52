package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/tokendesk/tokendesk/oauth/dstoken"
)

// Token-endpoint error descriptions, as DocuSign words them.
const (
	descExpiredToken   = "expired_client_token"
	descUnauthorized   = "unauthorized_client"
	descBadVerifier    = "invalid_code_verifier"
	maxTokenFormBytes  = 64 << 10
	sweepThreshold     = 4096
	formContentType    = "application/x-www-form-urlencoded"
	errInvalidGrant    = "invalid_grant"
	errUnsupportedType = "unsupported_grant_type"
)

// tokenResponse is the 200 body of /oauth/token.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
}

// handleToken serves POST /oauth/token for the authorization_code and
// refresh_token grants.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request"})
		return
	}
	// DocuSign answers a wrong content type with invalid_grant.
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != formContentType {
		s.logf("sandbox: token request rejected: content type is not %s", formContentType)
		oauthError(w, errInvalidGrant, "")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenFormBytes)
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request", "")
		return
	}
	form := r.PostForm
	grantType := form.Get("grant_type")

	reject := func(desc string) {
		s.mu.Lock()
		switch grantType {
		case "authorization_code":
			s.stats.ExchangeRejected++
		case "refresh_token":
			s.stats.RefreshRejected++
		}
		s.mu.Unlock()
		s.logf("sandbox: %s grant rejected: %s", grantLabel(grantType), orBare(desc))
		oauthError(w, errInvalidGrant, desc)
	}

	if !s.clientAuthenticated(r) {
		reject(descUnauthorized)
		return
	}
	switch grantType {
	case "authorization_code":
		resp, desc := s.exchangeCode(form.Get("code"), form.Get("redirect_uri"), form.Get("code_verifier"), form.Has("redirect_uri"))
		if desc != "" {
			reject(desc)
			return
		}
		writeJSON(w, http.StatusOK, resp)
	case "refresh_token":
		resp, desc, bare := s.refreshGrant(form.Get("refresh_token"))
		if bare {
			reject("")
			return
		}
		if desc != "" {
			reject(desc)
			return
		}
		writeJSON(w, http.StatusOK, resp)
	default:
		s.logf("sandbox: unsupported grant_type rejected")
		oauthError(w, errUnsupportedType, "")
	}
}

func grantLabel(gt string) string {
	switch gt {
	case "authorization_code", "refresh_token":
		return gt
	}
	return "token"
}

func orBare(desc string) string {
	if desc == "" {
		return "(bare invalid_grant)"
	}
	return desc
}

// clientAuthenticated applies the client authentication rules: a
// confidential client must send Basic key:secret; a public client sends
// client_id in the body, or Basic with the key and an empty secret. A
// client_id in the body must always name the integration key.
func (s *Server) clientAuthenticated(r *http.Request) bool {
	key := s.opts.IntegrationKey
	if id := r.PostForm.Get("client_id"); r.PostForm.Has("client_id") && !constEq(id, key) {
		return false
	}
	user, pass, hasBasic := r.BasicAuth()
	if hasBasic && (!constEq(user, key) || !constEq(pass, s.opts.Secret)) {
		return false
	}
	if s.opts.Secret != "" {
		return hasBasic
	}
	return hasBasic || r.PostForm.Has("client_id")
}

func constEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// exchangeCode redeems an authorization code. It returns the response, or
// an error_description when the grant must be rejected.
func (s *Server) exchangeCode(code, redirectURI, verifier string, sentRedirect bool) (tokenResponse, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	c, ok := s.codes[code]
	if !ok {
		return tokenResponse{}, descExpiredToken
	}
	switch {
	case c.used, !now.Before(c.expires), c.clientID != s.opts.IntegrationKey:
		return tokenResponse{}, descExpiredToken
	case sentRedirect && redirectURI != c.redirectURI:
		return tokenResponse{}, descExpiredToken
	case c.challenge != "" && verifier == "":
		return tokenResponse{}, descExpiredToken
	case c.challenge != "" && !constEq(s256(verifier), c.challenge):
		return tokenResponse{}, descBadVerifier
	}
	c.used = true
	s.stats.Exchanges++
	g := c.grant
	rtExpires := g.consentAt.Add(s.opts.RefreshTTL)
	if g.extended {
		rtExpires = now.Add(s.opts.RefreshTTL)
	}
	return s.issueLocked(g, now, rtExpires, strings.Join(g.scopes, " ")), ""
}

// refreshGrant redeems a refresh token and rotates it. It returns the
// response, or an error_description (bare = answer a bare invalid_grant, as
// DocuSign does for revoked consent).
func (s *Server) refreshGrant(rt string) (resp tokenResponse, desc string, bare bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revoked[rt] {
		return tokenResponse{}, "", true
	}
	now := s.nowLocked()
	g, ok := s.refresh[rt]
	if rt == "" || !ok || g.current != rt || !now.Before(g.rtExpires) {
		return tokenResponse{}, descExpiredToken, false
	}
	delete(s.refresh, rt)
	s.stats.Refreshes++
	// extended slides the window; otherwise the consent-time expiry stays.
	rtExpires := g.rtExpires
	if g.extended {
		rtExpires = now.Add(s.opts.RefreshTTL)
	}
	// DocuSign's refresh response does not echo extended.
	var scopes []string
	for _, sc := range g.scopes {
		if sc != "extended" {
			scopes = append(scopes, sc)
		}
	}
	return s.issueLocked(g, now, rtExpires, strings.Join(scopes, " ")), "", false
}

// issueLocked mints an access token and a new current refresh token for g.
func (s *Server) issueLocked(g *grant, now, rtExpires time.Time, scope string) tokenResponse {
	s.sweepLocked(now)
	at := s.mintLocked(dstoken.TypeAccess, g, now, now.Add(s.opts.AccessTTL))
	rt := s.mintLocked(dstoken.TypeRefresh, g, now, rtExpires)
	s.access[at] = accessToken{expires: now.Add(s.opts.AccessTTL)}
	g.current, g.rtExpires = rt, rtExpires
	s.refresh[rt] = g
	return tokenResponse{
		AccessToken:  at,
		TokenType:    "Bearer",
		RefreshToken: rt,
		ExpiresIn:    int64(s.opts.AccessTTL / time.Second),
		Scope:        scope,
	}
}

// mintLocked encodes a token of type t for grant g in DocuSign's layout.
func (s *Server) mintLocked(t dstoken.Type, g *grant, now, expires time.Time) string {
	return dstoken.Encode(dstoken.Claims{
		Type:            t,
		IssuedAt:        now,
		ExpiresAt:       expires,
		AuthTime:        g.consentAt,
		UserID:          s.user.Sub,
		SessionID:       g.sessionID,
		Site:            1,
		ScopeIDs:        g.scopeIDs,
		Audience:        s.opts.IntegrationKey,
		AuthorizedParty: s.opts.IntegrationKey,
		AMR:             []string{"interactive"},
	}, s.sign)
}

// sign returns a 16-byte random nonce followed by HMAC-SHA256(key, nonce ||
// input): verifiable by the server, and unique per token even when two
// tokens share every claim.
func (s *Server) sign(input []byte) []byte {
	nonce := randomBytes(16)
	mac := hmac.New(sha256.New, s.signKey)
	mac.Write(nonce)
	mac.Write(input)
	return mac.Sum(nonce)
}

// sweepLocked drops expired codes and access tokens once the maps grow, so
// a long-running sandbox does not grow without bound.
func (s *Server) sweepLocked(now time.Time) {
	if len(s.codes)+len(s.access) < sweepThreshold {
		return
	}
	for k, c := range s.codes {
		if c.used || !now.Before(c.expires) {
			delete(s.codes, k)
		}
	}
	for k, a := range s.access {
		if !now.Before(a.expires) {
			delete(s.access, k)
		}
	}
}

// s256 is the PKCE S256 transform: base64url(SHA-256(verifier)), unpadded.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// oauthError writes DocuSign's 400 JSON error; an empty description is
// left out ({"error":"invalid_grant"}).
func oauthError(w http.ResponseWriter, code, desc string) {
	body := map[string]string{"error": code}
	if desc != "" {
		body["error_description"] = desc
	}
	writeJSON(w, http.StatusBadRequest, body)
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
