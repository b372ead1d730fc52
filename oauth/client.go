package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tokendesk/tokendesk/oauth/dstoken"
	"golang.org/x/oauth2"
)

// DefaultAccessLifetime is assumed when a token response has no expires_in
// (DocuSign documents 8 hours).
const DefaultAccessLifetime = 8 * time.Hour

// Client talks to one DocuSign account server for one integration. It is
// safe for concurrent use; it holds no tokens.
type Client struct {
	cfg  Config
	http *http.Client
}

// NewClient checks cfg and returns a client for it.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, &Error{Op: "config", Kind: KindMisconfigured, Msg: err.Error(), server: cfg.Environment.shortName()}
	}
	c := &Client{cfg: cfg}
	c.http = c.httpClient()
	return c, nil
}

// Config returns a copy of the client's configuration.
func (c *Client) Config() Config { return c.cfg }

// AuthRequest is one pending consent: the URL to open and the values the
// callback and exchange must match. Its verifier never leaves the process.
type AuthRequest struct {
	// URL is the consent page to open in the browser.
	URL string
	// RedirectURI is the loopback callback the URL names.
	RedirectURI string
	state       string
	verifier    string
}

// NewAuthRequest prepares a consent URL with a fresh state and PKCE S256
// challenge for the given redirect URI. Scopes are joined with %20, which
// DocuSign requires.
func (c *Client) NewAuthRequest(redirectURI string) (*AuthRequest, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, &Error{Op: "login", Kind: KindLogin, Msg: "could not create a random login state", Err: err}
	}
	r := &AuthRequest{RedirectURI: redirectURI, state: base64.RawURLEncoding.EncodeToString(b), verifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(r.verifier)}
	if c.cfg.PromptLogin {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "login"))
	}
	u := c.cfg.oauth2Config(redirectURI).AuthCodeURL(r.state, opts...)
	// url.Values.Encode writes spaces as '+' and a literal '+' as %2B, so
	// this rewrites only spaces.
	r.URL = strings.ReplaceAll(u, "+", "%20")
	return r, nil
}

// Exchange trades an authorization code for the first tokens of a session.
// The session is built from the gate's parse of the answer (the only parse
// that counts), so a 200 answer always yields a session.
func (c *Client) Exchange(ctx context.Context, req *AuthRequest, code string) (*Session, error) {
	now := c.cfg.now()
	cctx, got := withCapture(c.withClient(ctx))
	_, err := c.cfg.oauth2Config(req.RedirectURI).Exchange(cctx, code, oauth2.VerifierOption(req.verifier))
	tok := got.get()
	if tok == nil {
		return nil, c.call("exchange", code, req.verifier).transport(ctx, err)
	}
	s := &Session{RequestedScopes: c.cfg.scopes(), ConsentedAt: now, RefreshIssuedAt: now}
	c.apply(s, tok, now)
	if tok.Scope != "" {
		s.GrantedScopes = scopeList(tok.Scope)
	}
	return s, nil
}

// Refresh redeems the session's refresh token and returns the new session.
// The caller must persist the result (its refresh token has rotated and the
// old one is dead) before using the new access token. s is not modified.
// The result is built from the gate's parse of the answer: once the server
// has answered 200, the rotated refresh token is returned whatever happens
// afterwards inside x/oauth2.
func (c *Client) Refresh(ctx context.Context, s *Session) (*Session, error) {
	if s == nil || s.RefreshToken == "" {
		return nil, &Error{Op: "refresh", Kind: KindRelogin, Msg: "no refresh token is stored; log in again", server: c.cfg.Environment.shortName()}
	}
	now := c.cfg.now()
	expired := &oauth2.Token{RefreshToken: s.RefreshToken, Expiry: time.Unix(1, 0)}
	cctx, got := withCapture(c.withClient(ctx))
	_, err := c.cfg.oauth2Config("").TokenSource(cctx, expired).Token()
	tok := got.get()
	if tok == nil {
		return nil, c.rescue(s, now, err, c.call("refresh", s.RefreshToken, s.AccessToken).transport(ctx, err))
	}
	n := s.Clone()
	rotated := tok.RefreshToken != "" && tok.RefreshToken != s.RefreshToken
	c.apply(n, tok, now)
	if rotated {
		n.RotatedAt, n.RefreshIssuedAt = now, now
		if extendedConfirmed(s.RefreshToken, tok.RefreshToken) {
			n.ExtendedConfirmedAt = now
		}
	}
	n.LastFailure = nil
	n.Refreshes++
	return n, nil
}

// rescue attaches to e the session a 2xx refresh answer rotated to, when
// that answer carried a new refresh token but was otherwise unusable.
func (c *Client) rescue(s *Session, now time.Time, cause error, e *Error) *Error {
	var re *replyError
	if !errors.As(cause, &re) || re.reply.rescued == "" || re.reply.rescued == s.RefreshToken {
		return e
	}
	n := s.Clone()
	n.RefreshToken, n.AccessToken, n.AccessExpiresAt, n.AccessIssuedAt = re.reply.rescued, "", time.Time{}, time.Time{}
	n.RotatedAt, n.RefreshIssuedAt = now, now
	n.TokenRefreshExpiresAt = RefreshTokenExpiry(n.RefreshToken)
	e.Session = n
	return e
}

// extendedConfirmed reports whether a rotation proves "extended": both
// refresh tokens decode (oauth/dstoken), the new one was issued later, and
// it carries the same full lifetime (expiry minus issue time) as the old
// one did when it was issued. Without extended the new token keeps the old
// expiry, so its lifetime is shorter by the time elapsed.
func extendedConfirmed(oldRT, newRT string) bool {
	o, err1 := dstoken.Decode(oldRT)
	n, err2 := dstoken.Decode(newRT)
	if err1 != nil || err2 != nil || o.Type != dstoken.TypeRefresh || n.Type != dstoken.TypeRefresh ||
		o.IssuedAt.IsZero() || n.IssuedAt.IsZero() {
		return false
	}
	oldLife, newLife := o.ExpiresAt.Sub(o.IssuedAt), n.ExpiresAt.Sub(n.IssuedAt)
	tol := min(2*time.Minute, oldLife/50)
	elapsed := n.IssuedAt.Sub(o.IssuedAt)
	diff := newLife - oldLife
	return oldLife > 0 && elapsed > tol && diff >= -tol && diff <= tol && n.ExpiresAt.After(o.ExpiresAt)
}

// apply copies a parsed token response into s.
func (c *Client) apply(s *Session, tok *tokenResponse, now time.Time) {
	s.AccessToken = tok.AccessToken
	if tok.RefreshToken != "" {
		s.RefreshToken = tok.RefreshToken
	}
	s.TokenType = CleanText(tok.TokenType)
	life := time.Duration(tok.ExpiresIn) * time.Second
	if tok.ExpiresIn <= 0 {
		life = DefaultAccessLifetime
	}
	s.AccessIssuedAt = now
	s.AccessExpiresAt = now.Add(life)
	s.ReportedScopes = nil
	if tok.Scope != "" {
		s.ReportedScopes = scopeList(tok.Scope)
	}
	s.TokenRefreshExpiresAt = RefreshTokenExpiry(s.RefreshToken)
}

// scopeList splits a reported scope string into clean scope names, at most
// 64 of them, each at most 128 bytes.
func scopeList(s string) []string {
	var out []string
	for _, f := range strings.Fields(stripControls(s)) {
		if len(out) == 64 {
			break
		}
		if len(f) <= 128 {
			out = append(out, f)
		}
	}
	return out
}

// UserInfo fetches the signed-in user and their accounts. DocuSign
// rate-limits this endpoint, so callers cache the answer (Session.User) and
// call it once per login, never on a timer.
func (c *Client) UserInfo(ctx context.Context, accessToken string) (*UserInfo, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.Environment.Endpoints().UserInfoURL, nil)
	if err != nil {
		return nil, &Error{Op: "userinfo", Kind: KindMisconfigured, Msg: "the environment's userinfo URL is invalid", Err: err}
	}
	k := c.call("userinfo", accessToken)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, k.transport(ctx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, k.transport(ctx, err)
	}
	r := inspectReply(resp.StatusCode, resp.Header.Get("Content-Type"), body)
	if resp.StatusCode != http.StatusOK || r.HTML {
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			r.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.cfg.now())
		}
		return nil, k.reply(r)
	}
	var u UserInfo
	if err := json.Unmarshal(body, &u); err != nil || (u.Sub == "" && u.Email == "") {
		r.Malformed = true
		if err == nil {
			err = errors.New("no sub or email")
		}
		e := k.reply(r)
		e.Err = err
		return nil, e
	}
	u.clean(k.secrets)
	return &u, nil
}
