// Package sandbox is a local, DocuSign-compatible OAuth 2.0 authorization
// server, to Token Desk what net/http/httptest is to net/http.
//
// It serves the three account-server endpoints Token Desk uses, behaving the
// way DocuSign has been documented and observed to behave: GET /oauth/auth
// with an optional consent page, POST /oauth/token for the
// authorization_code and refresh_token grants (with refresh-token rotation
// and the extended scope's sliding expiry), and GET /oauth/userinfo. Codes and
// tokens are minted in DocuSign's token layout (package dstoken) and signed
// with a per-server HMAC key.
//
// Tests control the server through a movable clock (Advance), consent
// revocation (RevokeConsent), injected faults (InjectFault) and request
// counters (Stats). RunCommand runs it standalone for manual testing.
//
// The server listens on loopback only and never logs a token, code, PKCE
// verifier or secret.
package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultIntegrationKey is the integration key (client_id) a server accepts
// when Options.IntegrationKey is empty.
const DefaultIntegrationKey = "7c2b8d3e-5f4a-4e1b-9c6d-2a1f0e3b4c5d"

// DefaultAddr is the listen address when Options.Addr is empty: loopback, any
// free port.
const DefaultAddr = "127.0.0.1:0"

// DefaultAppName is the application name the consent page shows when
// Options.AppName is empty.
const DefaultAppName = "Token Desk"

// DefaultRedirectURIs are the redirect URIs registered when
// Options.RedirectURIs is empty: Token Desk's fixed loopback callback and two
// fallbacks.
var DefaultRedirectURIs = []string{
	"http://127.0.0.1:8765/callback",
	"http://127.0.0.1:8766/callback",
	"http://127.0.0.1:8767/callback",
}

// Default lifetimes, as DocuSign's.
const (
	// DefaultAccessTTL is the access-token lifetime (expires_in 28800).
	DefaultAccessTTL = 8 * time.Hour
	// DefaultRefreshTTL is the refresh-token lifetime.
	DefaultRefreshTTL = 30 * 24 * time.Hour
	// DefaultCodeTTL is the authorization-code lifetime.
	DefaultCodeTTL = 2 * time.Minute
)

// Options configures a Server. The zero value is a usable public client with
// DocuSign's lifetimes and the consent page enabled.
type Options struct {
	// Addr is the listen address, DefaultAddr if empty. It must be a
	// loopback address (127.0.0.0/8, ::1 or localhost); NewServer refuses
	// anything else.
	Addr string
	// IntegrationKey is the one registered client_id; DefaultIntegrationKey
	// if empty.
	IntegrationKey string
	// Secret is the client secret. Empty makes the client public: PKCE is
	// required and the token endpoint takes client_id in the body. Otherwise
	// the client is confidential and must send Basic key:secret.
	Secret string
	// RedirectURIs are the registered redirect URIs, matched exactly;
	// DefaultRedirectURIs if empty.
	RedirectURIs []string
	// AppName is the application name shown on the consent page;
	// DefaultAppName if empty.
	AppName string
	// AutoAccept skips the consent page: /oauth/auth redirects straight back
	// with a code, as if the user had accepted.
	AutoAccept bool
	// AccessTTL, RefreshTTL and CodeTTL are the token lifetimes;
	// DefaultAccessTTL, DefaultRefreshTTL and DefaultCodeTTL if zero.
	AccessTTL, RefreshTTL, CodeTTL time.Duration
	// EnabledScopes, if not nil, are the scopes enabled for the integration
	// key: others asked for are left out of the grant (and so of the
	// exchange's scope report), or refused with invalid_scope when
	// RejectUnknownScopes is set. Nil enables every scope.
	EnabledScopes []string
	// RejectUnknownScopes makes a consent that asks for a scope outside
	// EnabledScopes fail with error=invalid_scope on the redirect.
	RejectUnknownScopes bool
	// User is the signed-in user that userinfo reports; empty fields take
	// the values of DefaultUser. User.Sub must be a GUID.
	User User
	// Logf, if set, receives one line per request (method, path, status,
	// duration) and notable events. Token, code, verifier and secret values
	// are never passed to it.
	Logf func(format string, args ...any)
}

// Stats counts what the server has seen since it started or since ResetStats.
type Stats struct {
	// Authorize counts requests to /oauth/auth.
	Authorize int
	// ConsentShown counts consent pages rendered.
	ConsentShown int
	// ConsentAccepted and ConsentDenied count answers to the consent page
	// (auto-accepted requests count as accepted).
	ConsentAccepted, ConsentDenied int
	// Exchanges and ExchangeRejected count authorization_code grants that
	// succeeded and failed.
	Exchanges, ExchangeRejected int
	// Refreshes and RefreshRejected count refresh_token grants that
	// succeeded and failed.
	Refreshes, RefreshRejected int
	// UserInfo counts requests to /oauth/userinfo.
	UserInfo int
	// Faults counts requests answered (or delayed) by an injected fault.
	Faults int
}

// Server is a running sandbox authorization server. It is safe for
// concurrent use.
type Server struct {
	opts    Options // defaults applied
	user    User
	url     string
	signKey []byte

	ln     net.Listener
	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	mu      sync.Mutex
	offset  time.Duration // server clock = time.Now() + offset
	stats   Stats
	faults  []*pendingFault
	pending map[string]*consentRequest // consent page id -> request
	codes   map[string]*authCode       // code -> code state
	refresh map[string]*grant          // current refresh token -> grant
	access  map[string]accessToken     // access token -> expiry and grant
	revoked map[string]bool            // refresh tokens killed by RevokeConsent
}

// grant is one consent: everything minted from a single authorization code.
type grant struct {
	scopes    []string // as requested, in order
	scopeIDs  []uint32
	extended  bool
	consentAt time.Time // server clock
	sessionID string
	current   string    // the one valid refresh token, "" before exchange
	rtExpires time.Time // expiry of current
}

// authCode is an issued authorization code.
type authCode struct {
	grant       *grant
	clientID    string
	redirectURI string
	challenge   string // S256 code_challenge, "" if none
	expires     time.Time
	used        bool
}

// accessToken records an issued access token.
type accessToken struct {
	expires time.Time
}

// NewServer validates opts, starts listening and serving, and returns once
// the server accepts connections. Close it when done.
func NewServer(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if err := checkLoopback(opts.Addr); err != nil {
		return nil, err
	}
	if opts.IntegrationKey == "" {
		opts.IntegrationKey = DefaultIntegrationKey
	}
	if len(opts.RedirectURIs) == 0 {
		opts.RedirectURIs = DefaultRedirectURIs
	}
	opts.RedirectURIs = append([]string(nil), opts.RedirectURIs...)
	for _, u := range opts.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return nil, err
		}
	}
	if opts.AppName == "" {
		opts.AppName = DefaultAppName
	}
	if opts.AccessTTL <= 0 {
		opts.AccessTTL = DefaultAccessTTL
	}
	if opts.RefreshTTL <= 0 {
		opts.RefreshTTL = DefaultRefreshTTL
	}
	if opts.CodeTTL <= 0 {
		opts.CodeTTL = DefaultCodeTTL
	}
	user, err := opts.User.withDefaults()
	if err != nil {
		return nil, err
	}

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen on %s: %w", opts.Addr, err)
	}
	s := &Server{
		opts:    opts,
		user:    user,
		url:     "http://" + ln.Addr().String(),
		signKey: randomBytes(32),
		ln:      ln,
		done:    make(chan struct{}),
		pending: map[string]*consentRequest{},
		codes:   map[string]*authCode{},
		refresh: map[string]*grant{},
		access:  map[string]accessToken{},
		revoked: map[string]bool{},
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.srv = &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("sandbox: serve: %v", err)
		}
	}()
	return s, nil
}

// URL returns the server's base URL without a trailing slash, e.g.
// http://127.0.0.1:41234. The endpoints are URL()+"/oauth/auth",
// "/oauth/token" and "/oauth/userinfo".
func (s *Server) URL() string { return s.url }

// IntegrationKey returns the registered client_id.
func (s *Server) IntegrationKey() string { return s.opts.IntegrationKey }

// RedirectURIs returns a copy of the registered redirect URIs.
func (s *Server) RedirectURIs() []string { return append([]string(nil), s.opts.RedirectURIs...) }

// Close stops the server: it stops accepting connections, cancels requests
// held by fault delays, waits up to five seconds for the rest to finish and
// then closes every connection. It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.cancel()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			_ = s.srv.Close()
		}
		<-s.done
	})
}

// Stats returns a snapshot of the request counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// ResetStats sets every counter to zero.
func (s *Server) ResetStats() {
	s.mu.Lock()
	s.stats = Stats{}
	s.mu.Unlock()
}

// RevokeConsent does what a user revoking the app's consent does at
// DocuSign: every refresh token and every unused authorization code stops
// working at once, while access tokens stay valid until they expire. A
// later login creates a new consent.
func (s *Server) RevokeConsent() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for rt := range s.refresh {
		s.revoked[rt] = true
	}
	clear(s.refresh)
	clear(s.codes)
	s.logf("sandbox: consent revoked")
}

// RefreshTokenValid reports whether rt is the current refresh token of a
// live grant: issued by this server, not rotated out, not expired by the
// server clock and not revoked.
func (s *Server) RefreshTokenValid(rt string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[rt]
	return ok && g.current == rt && s.nowLocked().Before(g.rtExpires)
}

// handler routes the three endpoints and the consent form, behind request
// logging and fault injection.
func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth/auth", s.handleAuthorize)
	mux.HandleFunc("/oauth/consent", s.handleConsent)
	mux.HandleFunc("/oauth/token", s.handleToken)
	mux.HandleFunc("/oauth/userinfo", s.handleUserInfo)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Token Desk DocuSign sandbox\nintegration key: %s\nendpoints: /oauth/auth /oauth/token /oauth/userinfo\n", s.opts.IntegrationKey)
	})
	return s.logRequests(s.injectFaults(mux))
}

// logf forwards to Options.Logf if set.
func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// statusRecorder remembers the status code for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (Hijack).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs method, path (never the query), status and duration.
func (s *Server) logRequests(next http.Handler) http.Handler {
	if s.opts.Logf == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := fmt.Sprint(rec.status)
		if rec.status == 0 {
			status = "no response"
		}
		s.logf("sandbox: %s %s -> %s (%s)", r.Method, r.URL.Path, status, time.Since(start).Round(time.Millisecond))
	})
}

// checkLoopback refuses listen addresses that are not loopback.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("sandbox: listen address %q is not a loopback address; the sandbox only serves this machine", addr)
}

// checkRedirectURI accepts absolute http(s) or custom-scheme URIs without a
// fragment.
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Fragment != "" || (strings.HasPrefix(u.Scheme, "http") && u.Host == "") {
		return fmt.Errorf("sandbox: redirect URI %q must be an absolute URI without a fragment", raw)
	}
	return nil
}

// randomBytes returns n bytes from crypto/rand.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics internally if it cannot read)
	return b
}

// randomID returns a 128-bit random hex string.
func randomID() string { return hex.EncodeToString(randomBytes(16)) }

// newGUID returns a random (version 4) GUID in lowercase text form.
func newGUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
