package oauth

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// listenLoopback binds the first free port of ports on 127.0.0.1 only.
func listenLoopback(ctx context.Context, ports []int) (net.Listener, int, error) {
	var lc net.ListenConfig
	busy := make([]string, 0, len(ports))
	for _, p := range ports {
		ln, err := lc.Listen(ctx, "tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err == nil {
			return ln, p, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) && !strings.Contains(err.Error(), "address already in use") &&
			!strings.Contains(err.Error(), "Only one usage") {
			return nil, 0, &Error{Op: "login", Kind: KindLogin, Msg: fmt.Sprintf("could not open the local redirect port %d", p), Err: err}
		}
		busy = append(busy, strconv.Itoa(p))
	}
	return nil, 0, &Error{Op: "login", Kind: KindLogin, Msg: fmt.Sprintf(
		"every redirect port of this profile (%s) is in use by another program; close it, or add another port to the profile and register its redirect URI at DocuSign",
		strings.Join(busy, ", "))}
}

// callbackServer is the loopback redirect target of one login, in the manner
// of int128/oauth2cli: one code accepted (sync.Once), state checked, the
// browser told the outcome, then shut down.
type callbackServer struct {
	srv     *http.Server
	state   string
	once    sync.Once
	got     chan callbackResult
	outcome chan error // the login's final result, for the browser page
}

type callbackResult struct {
	code string
	err  *Error
}

func newCallbackServer(state string) *callbackServer {
	s := &callbackServer{state: state, got: make(chan callbackResult, 1), outcome: make(chan error, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+CallbackPath, s.handle)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return s
}

func (s *callbackServer) handle(w http.ResponseWriter, r *http.Request) {
	first := false
	s.once.Do(func() {
		first = true
		code, err := parseCallback(r.URL.Query(), s.state)
		s.got <- callbackResult{code: code, err: err}
	})
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !first {
		w.WriteHeader(http.StatusConflict)
		renderPage(w, false, "This login already received its answer. Go back to Token Desk.")
		return
	}
	var err error
	select {
	case err = <-s.outcome:
	case <-r.Context().Done():
		return
	}
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		renderPage(w, false, err.Error())
		return
	}
	renderPage(w, true, "Token Desk is signed in. You can close this tab.")
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Token Desk</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:4em auto;max-width:36em;padding:0 1em;color:#222}
h1{font-size:1.4em}.ok{color:#1b7f3b}.fail{color:#b3261e}</style></head>
<body><h1 class="{{if .OK}}ok{{else}}fail{{end}}">{{if .OK}}Signed in{{else}}Login failed{{end}}</h1>
<p>{{.Msg}}</p></body></html>`))

func renderPage(w http.ResponseWriter, ok bool, msg string) {
	_ = pageTmpl.Execute(w, struct {
		OK  bool
		Msg string
	}{ok, msg})
}

// Login runs one interactive consent: it opens a loopback redirect server on
// the first free port, hands the consent URL to onURL (the caller opens the
// browser and shows the URL), waits for the redirect (bounded by
// Config.LoginTimeout and ctx), exchanges the code and returns the new
// session. The browser tab is told the outcome.
func (c *Client) Login(ctx context.Context, onURL func(authURL string)) (*Session, error) {
	timeout := c.cfg.LoginTimeout
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ln, port, err := listenLoopback(ctx, c.cfg.ports())
	if err != nil {
		return nil, err
	}
	req, err := c.NewAuthRequest(RedirectURI(port))
	if err != nil {
		ln.Close()
		return nil, err
	}
	cs := newCallbackServer(req.state)
	served := make(chan struct{})
	go func() { defer close(served); _ = cs.srv.Serve(ln) }()
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer scancel()
		if cs.srv.Shutdown(sctx) != nil {
			_ = cs.srv.Close()
		}
		<-served
	}()
	if onURL != nil {
		onURL(req.URL)
	}

	var res callbackResult
	select {
	case res = <-cs.got:
	case <-ctx.Done():
		cs.once.Do(func() {}) // no code is accepted after this point
		e := &Error{Op: "login", Kind: KindLogin, Msg: "the login was cancelled", Err: context.Canceled}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			e = &Error{Op: "login", Kind: KindLogin, Err: ctx.Err(),
				Msg: fmt.Sprintf("no answer from the browser within %s; start the login again", timeout.Round(time.Second))}
		}
		cs.outcome <- e // a callback that raced the deadline is told too
		return nil, e
	}
	if res.err != nil {
		cs.outcome <- res.err
		return nil, res.err
	}
	s, err := c.Exchange(ctx, req, res.code)
	cs.outcome <- err
	return s, err
}
