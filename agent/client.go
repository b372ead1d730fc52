package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"time"
)

// HelloTimeout bounds dialing the endpoint and reading the server's hello:
// a client that gets no hello within it takes the direct path.
const HelloTimeout = 300 * time.Millisecond

// Client talks to the app serving one endpoint.
type Client struct {
	// Endpoint is where to dial.
	Endpoint Endpoint
	// HelloTimeout overrides the package's HelloTimeout when set.
	HelloTimeout time.Duration
}

// NewClient returns a client of an endpoint.
func NewClient(ep Endpoint) *Client { return &Client{Endpoint: ep} }

// connect dials and reads the hello. Any failure here is ErrNoServer.
func (c *Client) connect(ctx context.Context) (net.Conn, *bufio.Reader, Info, error) {
	bound := c.HelloTimeout
	if bound <= 0 {
		bound = HelloTimeout
	}
	deadline := time.Now().Add(bound)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn, err := dial(c.Endpoint, time.Until(deadline))
	if err != nil {
		return nil, nil, Info{}, noServer(err)
	}
	_ = conn.SetDeadline(deadline)
	r := bufio.NewReader(conn)
	var h Hello
	line, err := r.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &h)
	}
	switch {
	case err != nil:
		conn.Close()
		return nil, nil, Info{}, noServer(fmt.Errorf("read the hello: %w", err))
	case h.Error != nil:
		conn.Close()
		return nil, nil, Info{}, noServer(h.Error)
	case h.Info == nil:
		conn.Close()
		return nil, nil, Info{}, noServer(errors.New("the hello carries no info"))
	}
	return conn, r, *h.Info, nil
}

// Ping returns the running app's Info, or an error wrapping ErrNoServer.
func (c *Client) Ping(ctx context.Context) (Info, error) {
	conn, _, info, err := c.connect(ctx)
	if err != nil {
		return Info{}, err
	}
	conn.Close()
	return info, nil
}

// Call sends one request and returns the answer. An error wrapping
// ErrNoServer means no app answered the hello in time: take the direct
// path. Once the hello arrived, the answer is awaited until ctx ends or the
// server's own bound passes. A failure the server reports is returned as an
// *Error with the Response.
func (c *Client) Call(ctx context.Context, req Request) (Response, error) {
	conn, r, _, err := c.connect(ctx)
	if err != nil {
		return Response{}, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	_ = conn.SetDeadline(time.Now().Add(opTimeout + 10*time.Second))
	req.V = Version
	b, err := json.Marshal(req)
	if err != nil {
		return Response{}, fmt.Errorf("encode the request: %w", err)
	}
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return Response{}, fmt.Errorf("send the request to the running Token Desk: %w", err)
	}
	line, err := r.ReadBytes('\n')
	if err != nil {
		if ctx.Err() != nil {
			return Response{}, ctx.Err()
		}
		return Response{}, fmt.Errorf("read the answer of the running Token Desk: %w", err)
	}
	var resp Response
	if err := json.Unmarshal(line, &resp); err != nil {
		return Response{}, fmt.Errorf("decode the answer of the running Token Desk: %w", err)
	}
	if !resp.OK {
		if resp.Error == nil {
			resp.Error = &Error{Kind: ErrKindFailed, Message: "the running Token Desk failed without saying why"}
		}
		if resp.Error.Kind == ErrKindNotServed {
			return resp, noServer(resp.Error)
		}
		return resp, resp.Error
	}
	return resp, nil
}

// Raise asks the running app to show and raise its window.
func (c *Client) Raise(ctx context.Context) (Info, error) {
	resp, err := c.Call(ctx, Request{Op: OpShowWindow})
	if resp.Info != nil {
		return *resp.Info, err
	}
	return Info{}, err
}
