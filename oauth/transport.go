package oauth

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"golang.org/x/oauth2"
)

// maxBody bounds what is read of any account-server answer.
const maxBody = 1 << 20

// gate is the RoundTripper under x/oauth2's token requests. It reads each
// token-endpoint answer once, lets well-formed token responses through
// unchanged, and turns every other answer (OAuth error, 5xx, HTML page,
// malformed JSON) into a classified *Error before x/oauth2 sees it, so that
// no RetrieveError text (which embeds the raw body) can reach a user.
type gate struct {
	base     http.RoundTripper
	tokenURL string
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
	if _, bad := parseTokenResponse(resp.StatusCode, resp.Header.Get("Content-Type"), body); bad != nil {
		return nil, &replyError{bad}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// replyError carries an unsuccessful token-endpoint answer through x/oauth2
// to the caller, which classifies it knowing the operation.
type replyError struct{ reply *serverReply }

func (e *replyError) Error() string { return "unsuccessful token response: " + e.reply.String() }

// httpClient returns the client every call of c uses: bounded by a timeout
// (pitfalls 8) and with the token-response gate in place.
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
		Transport: &gate{base: base, tokenURL: c.cfg.Environment.Endpoints().TokenURL},
	}
}

// withClient puts the bounded client into ctx for x/oauth2.
func (c *Client) withClient(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.http)
}
