package oauth

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// maxBody bounds what is read of any account-server answer.
const maxBody = 1 << 20

// gate is the RoundTripper under x/oauth2's token requests. It reads each
// token-endpoint answer once and parses it with the one parser that counts
// (parseTokenResponse). A good answer is stored in the request's capture
// slot, from which Exchange and Refresh build the session, and x/oauth2 is
// handed a canonical re-encoding it cannot fail to read. Every other answer
// (OAuth error, 5xx, HTML page, malformed JSON) becomes a classified error
// before x/oauth2 sees it, so no RetrieveError text (which embeds the raw
// body) can reach a user.
type gate struct {
	base     http.RoundTripper
	tokenURL string
	now      func() time.Time
}

// capture is the per-request slot a token request's parsed answer lands in.
type capture struct {
	mu  sync.Mutex
	tok *tokenResponse
}

func (c *capture) set(t *tokenResponse) {
	c.mu.Lock()
	c.tok = t
	c.mu.Unlock()
}

// get returns the captured answer, or nil when no good answer arrived.
func (c *capture) get() *tokenResponse {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tok
}

type captureKey struct{}

// withCapture returns ctx with a fresh capture slot for one token request.
func withCapture(ctx context.Context) (context.Context, *capture) {
	c := &capture{}
	return context.WithValue(ctx, captureKey{}, c), c
}

// RoundTrip implements http.RoundTripper.
func (g *gate) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := g.base.RoundTrip(req)
	if err != nil || req.Method != http.MethodPost || req.URL.String() != g.tokenURL {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	tok, bad := parseTokenResponse(resp.StatusCode, resp.Header.Get("Content-Type"), body)
	if bad != nil {
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			bad.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), g.now())
		}
		return nil, &replyError{bad}
	}
	if c, ok := req.Context().Value(captureKey{}).(*capture); ok {
		c.set(tok)
	}
	canon := tok.canonical()
	resp.Body = io.NopCloser(bytes.NewReader(canon))
	resp.ContentLength = int64(len(canon))
	resp.Header = resp.Header.Clone()
	resp.Header.Set("Content-Type", "application/json")
	resp.Header.Set("Content-Length", strconv.Itoa(len(canon)))
	return resp, nil
}

// replyError carries an unsuccessful token-endpoint answer through x/oauth2
// to the caller, which classifies it knowing the operation.
type replyError struct{ reply *serverReply }

func (e *replyError) Error() string { return "unsuccessful token response: " + e.reply.String() }

// httpClient returns the client every call of c uses: bounded by a timeout
// and with the token-response gate in place.
func (c *Client) httpClient() *http.Client {
	base := c.cfg.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	timeout := c.cfg.HTTPTimeout
	if timeout <= 0 {
		timeout = DefaultHTTPTimeout
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: &gate{base: base, tokenURL: c.cfg.Environment.Endpoints().TokenURL, now: c.cfg.now},
		// Never follow a redirect: a token or userinfo request re-sent
		// elsewhere would carry its secrets along.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// withClient puts the bounded client into ctx for x/oauth2.
func (c *Client) withClient(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.http)
}
