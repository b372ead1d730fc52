package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/tokendesk/tokendesk/keeper"
)

// ErrRunning is returned by Listen when another live app already serves the
// configuration.
var ErrRunning = errors.New("another Token Desk already runs for this configuration")

// opTimeout bounds one request on the server, a refresh included.
const opTimeout = 100 * time.Second

// Backend is what the server serves: the keepers of the app's profiles.
// ManagerBackend implements it over a *desk.Manager.
type Backend interface {
	// Token returns an access token valid for at least minValid, and the
	// profile's status (also with an error, once the profile is resolved).
	Token(ctx context.Context, profile string, minValid time.Duration) (string, *keeper.Status, error)
	// Status returns a profile's status.
	Status(ctx context.Context, profile string) (*keeper.Status, error)
	// Refresh refreshes a profile now and returns its status (also with an
	// error, once the profile is resolved).
	Refresh(ctx context.Context, profile string) (*keeper.Status, error)
	// HandOff takes over a rotated session another process could not store.
	HandOff(ctx context.Context, profile string, h *HandOff) error
}

// Options configure a Server.
type Options struct {
	// Kind is KindWindow or KindAgent.
	Kind string
	// Backend answers the session ops.
	Backend Backend
	// ShowWindow shows and raises the window; nil on an agent.
	ShowWindow func() error
	// Logf receives one line per refused peer or failed connection; it is
	// never given a token. Default: discard.
	Logf func(format string, args ...any)
}

// Server serves one endpoint.
type Server struct {
	opt  Options
	info Info
	ep   Endpoint
	l    net.Listener
	wg   sync.WaitGroup
	uid  int
}

// Listen takes the endpoint: it returns ErrRunning when a live app holds it,
// and replaces a stale socket left by a killed one.
func Listen(ep Endpoint, opt Options) (*Server, error) {
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	l, err := listen(ep)
	if err != nil {
		return nil, err
	}
	return &Server{opt: opt, ep: ep, l: l, uid: os.Getuid(),
		info: Info{Kind: opt.Kind, PID: os.Getpid(), Since: time.Now().UTC().Truncate(time.Second)}}, nil
}

// Info returns what this server reports of itself.
func (s *Server) Info() Info { return s.info }

// Endpoint returns where the server listens.
func (s *Server) Endpoint() Endpoint { return s.ep }

// Serve answers connections until ctx ends or Close is called, then waits
// for the requests in flight to finish (a refresh is never cut off).
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { _ = s.l.Close() })
	defer stop()
	defer s.wg.Wait()
	for {
		c, err := s.l.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("accept on the local endpoint: %w", err)
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.handle(ctx, c)
		}()
	}
}

// Close stops listening and removes the socket.
func (s *Server) Close() error { return s.l.Close() }

// handle checks the peer, sends the hello, and answers one request.
func (s *Server) handle(ctx context.Context, c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	enc := json.NewEncoder(c)
	uid, pid, err := peerUID(c)
	if err != nil || uid != s.uid {
		if err != nil {
			s.opt.Logf("local endpoint: refused a connection whose user could not be checked: %v", err)
		} else {
			s.opt.Logf("local endpoint: refused a connection from user %d (pid %d); only user %d may use it", uid, pid, s.uid)
		}
		_ = enc.Encode(Hello{V: Version, Error: &Error{Kind: ErrKindRefused, Message: "this Token Desk belongs to another user"}})
		return
	}
	info := s.info
	if err := enc.Encode(Hello{V: Version, Info: &info}); err != nil {
		return
	}
	var req Request
	r := bufio.NewReaderSize(c, 4096)
	line, err := r.ReadSlice('\n')
	if err != nil {
		if !errors.Is(err, bufio.ErrBufferFull) {
			return // the client only wanted the hello (ping), or went away
		}
		_ = enc.Encode(Response{V: Version, Error: &Error{Kind: ErrKindBadRequest, Message: "request too long"}})
		return
	}
	if err := json.Unmarshal(line, &req); err != nil {
		_ = enc.Encode(Response{V: Version, Error: &Error{Kind: ErrKindBadRequest, Message: "malformed request: " + err.Error()}})
		return
	}
	_ = c.SetDeadline(time.Now().Add(opTimeout + 5*time.Second))
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opTimeout)
	defer cancel()
	resp := s.answer(octx, &req)
	resp.V, resp.Info = Version, &info
	_ = enc.Encode(resp)
}

// answer runs one request against the backend.
func (s *Server) answer(ctx context.Context, req *Request) Response {
	fail := func(err error) Response { return Response{Error: errorOf(err)} }
	if req.V != Version {
		return fail(&Error{Kind: ErrKindUnsupported, Message: fmt.Sprintf("protocol version %d is not spoken here (this app speaks %d)", req.V, Version)})
	}
	switch req.Op {
	case OpPing:
		return Response{OK: true}
	case OpToken:
		min := 5 * time.Minute
		if req.MinValid != "" {
			d, err := time.ParseDuration(req.MinValid)
			if err != nil || d < 0 {
				return fail(&Error{Kind: ErrKindBadRequest, Message: fmt.Sprintf("invalid min_valid %q", req.MinValid)})
			}
			min = d
		}
		tok, st, err := s.opt.Backend.Token(ctx, req.Profile, min)
		if err != nil {
			return Response{Error: errorOf(err), Status: st}
		}
		return Response{OK: true, Token: tok, Status: st}
	case OpStatus, OpRefresh:
		get := s.opt.Backend.Status
		if req.Op == OpRefresh {
			get = s.opt.Backend.Refresh
		}
		st, err := get(ctx, req.Profile)
		if err != nil {
			return Response{Error: errorOf(err), Status: st}
		}
		return Response{OK: true, Status: st}
	case OpShowWindow:
		if s.opt.ShowWindow == nil {
			return fail(&Error{Kind: ErrKindUnsupported, Message: "this is `tokendesk agent`, which has no window"})
		}
		if err := s.opt.ShowWindow(); err != nil {
			return fail(err)
		}
		return Response{OK: true}
	case OpHandOff:
		if req.HandOff == nil || req.HandOff.Session == nil || req.HandOff.RefreshToken == "" {
			return fail(&Error{Kind: ErrKindBadRequest, Message: "hand-off without a session"})
		}
		if err := s.opt.Backend.HandOff(ctx, req.Profile, req.HandOff); err != nil {
			return fail(err)
		}
		return Response{OK: true}
	}
	return fail(&Error{Kind: ErrKindUnsupported, Message: fmt.Sprintf("unknown op %q", req.Op)})
}
