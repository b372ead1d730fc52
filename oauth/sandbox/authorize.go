package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tokendesk/tokendesk/oauth/dstoken"
)

// Authorize-redirect error messages. DocuSign sends error_message, not
// error_description.
const (
	msgDenied = "The user did not consent to connecting the application."
	// consentRequestTTL bounds how long a rendered consent page can be answered.
	consentRequestTTL = 10 * time.Minute
	maxPending        = 1000
)

// consentRequest is a validated /oauth/auth request waiting for the user's
// answer on the consent page (or approved at once with AutoAccept).
type consentRequest struct {
	redirectURI string
	state       string
	scopes      []string
	challenge   string
	prompt      string
	expires     time.Time // server clock; only for pending consent pages
}

// handleAuthorize serves GET /oauth/auth. Requests that
// cannot be trusted to redirect (unknown client_id, unregistered
// redirect_uri) get an HTML error page; other errors redirect back with
// error and error_message.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Authorize++
	s.mu.Unlock()
	if r.Method != http.MethodGet { // not HEAD either: a request may mint a code
		w.Header().Set("Allow", "GET")
		s.errorPage(w, http.StatusMethodNotAllowed, "Method not allowed", "The authorization endpoint only answers GET requests.")
		return
	}
	q := r.URL.Query()
	if q.Get("client_id") != s.opts.IntegrationKey {
		s.logf("sandbox: authorize rejected: unknown client_id")
		s.errorPage(w, http.StatusBadRequest, "Invalid client",
			"The client ID (integration key) is not registered with DocuSign.")
		return
	}
	redirectURI := q.Get("redirect_uri")
	if !slices.Contains(s.opts.RedirectURIs, redirectURI) {
		s.logf("sandbox: authorize rejected: redirect_uri not registered")
		s.errorPage(w, http.StatusBadRequest, "Invalid redirect URI",
			"The redirect URI is not registered properly with DocuSign.")
		return
	}
	req := &consentRequest{redirectURI: redirectURI, state: q.Get("state"), prompt: q.Get("prompt")}
	fail := func(code, msg string) {
		s.logf("sandbox: authorize rejected: %s", code)
		redirectTo(w, req.redirectURI, "error", code, "error_message", msg, "state", req.state)
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "The response type is not supported; use response_type=code.")
		return
	}
	req.challenge = q.Get("code_challenge")
	method := q.Get("code_challenge_method")
	switch {
	case req.challenge == "" && s.opts.Secret == "":
		fail("invalid_request", "PKCE is required for this application: send code_challenge and code_challenge_method=S256.")
		return
	case req.challenge == "" && method != "":
		fail("invalid_request", "code_challenge_method was sent without code_challenge.")
		return
	case req.challenge != "" && method != "S256":
		fail("invalid_request", "Only code_challenge_method=S256 is supported.")
		return
	case req.challenge != "" && !validChallenge(req.challenge):
		fail("invalid_request", "code_challenge must be the unpadded base64url SHA-256 of the code verifier.")
		return
	}
	asked := strings.Fields(q.Get("scope"))
	for _, sc := range asked {
		if s.opts.EnabledScopes != nil && !slices.Contains(s.opts.EnabledScopes, sc) {
			if s.opts.RejectUnknownScopes {
				fail("invalid_scope", "The scope "+sc+" is not enabled for this integration key.")
				return
			}
			continue
		}
		if !slices.Contains(req.scopes, sc) {
			req.scopes = append(req.scopes, sc)
		}
	}
	if len(asked) == 0 {
		fail("invalid_scope", "The scope parameter is required.")
		return
	}
	if len(req.scopes) == 0 {
		fail("invalid_scope", "None of the requested scopes is enabled for this integration key.")
		return
	}

	if s.opts.AutoAccept {
		code := s.approve(req)
		redirectTo(w, req.redirectURI, "code", code, "state", req.state)
		return
	}
	s.mu.Lock()
	now := s.nowLocked()
	req.expires = now.Add(consentRequestTTL)
	if len(s.pending) >= maxPending {
		for id, p := range s.pending {
			if !now.Before(p.expires) {
				delete(s.pending, id)
			}
		}
	}
	id := randomID()
	s.pending[id] = req
	s.stats.ConsentShown++
	s.mu.Unlock()
	s.renderConsent(w, id, req)
}

// approve records the user's consent: a new grant and its authorization code.
func (s *Server) approve(req *consentRequest) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	g := &grant{
		scopes:    req.scopes,
		extended:  slices.Contains(req.scopes, "extended"),
		consentAt: now,
		sessionID: newGUID(),
	}
	for _, sc := range req.scopes {
		if id, ok := dstoken.ScopeIDs[sc]; ok {
			g.scopeIDs = append(g.scopeIDs, id)
		}
	}
	s.sweepLocked(now)
	code := s.mintLocked(dstoken.TypeCode, g, now, now.Add(s.opts.CodeTTL))
	s.codes[code] = &authCode{
		grant:       g,
		clientID:    s.opts.IntegrationKey,
		redirectURI: req.redirectURI,
		challenge:   req.challenge,
		expires:     now.Add(s.opts.CodeTTL),
	}
	s.stats.ConsentAccepted++
	return code
}

// validChallenge reports whether c looks like an S256 challenge: 43
// unpadded base64url characters.
func validChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	for _, r := range c {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// redirectTo answers 302 to base with the given key/value pairs appended to
// its query, in order; pairs with an empty value are left out. Values are
// escaped with %20 for spaces, as DocuSign does.
func redirectTo(w http.ResponseWriter, base string, kv ...string) {
	var b strings.Builder
	b.WriteString(base)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		b.WriteString(sep + url.QueryEscape(kv[i]) + "=" + strings.ReplaceAll(url.QueryEscape(kv[i+1]), "+", "%20"))
		sep = "&"
	}
	w.Header().Set("Location", b.String())
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusFound)
}
