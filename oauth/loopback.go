package oauth

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// StartPath is the local start page of a login: the browser is opened on
// http://127.0.0.1:PORT/ and redirected from there to the consent page, so
// no command line (the browser launcher's argv) or log line carries the
// login's state or PKCE challenge.
const StartPath = "/"

// StartURL returns the local start URL served on a loopback port.
func StartURL(port int) string { return fmt.Sprintf("http://127.0.0.1:%d%s", port, StartPath) }

// listenLoopback binds the first free port of ports on 127.0.0.1 only.
func listenLoopback(ctx context.Context, ports []int, env Environment) (net.Listener, int, error) {
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
	return nil, 0, &Error{Op: "login", Kind: KindLogin, server: env.shortName(), Msg: fmt.Sprintf(
		"every redirect port of this profile (%s) is in use by another program; close it, or add another port to the profile and register its redirect URI at %s",
		strings.Join(busy, ", "), env.serverName())}
}

// callbackServer is the loopback redirect target of one login, in the manner
// of int128/oauth2cli: it serves the start page (a redirect to the consent
// page) and the callback. Only a GET whose state matches this login can end
// it, and only the first of those (sync.Once); anything else is answered and
// ignored. The browser is told the outcome.
type callbackServer struct {
	srv     *http.Server
	state   string
	env     Environment
	scopes  []string
	consent string
	once    sync.Once
	got     chan callbackResult
	outcome chan error // the login's final result, for the browser page
	ignored atomic.Int32
}

type callbackResult struct {
	code string
	err  *Error
}

func newCallbackServer(state, consentURL string, env Environment, scopes []string) *callbackServer {
	s := &callbackServer{state: state, env: env, scopes: scopes, consent: consentURL,
		got: make(chan callbackResult, 1), outcome: make(chan error, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.start)
	mux.HandleFunc(CallbackPath, s.handle)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return s
}

// start redirects the browser to the consent page.
func (s *callbackServer) start(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, s.consent, http.StatusFound)
}

// deliver hands a state-matching answer to the login; it reports whether
// this was the one answer accepted.
func (s *callbackServer) deliver(q url.Values) bool {
	first := false
	s.once.Do(func() {
		first = true
		code, err := parseCallback(q, s.state, s.env, s.scopes)
		s.got <- callbackResult{code: code, err: err}
	})
	return first
}

// close makes sure no answer is accepted any more.
func (s *callbackServer) close() { s.once.Do(func() {}) }

func (s *callbackServer) handle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		w.WriteHeader(http.StatusMethodNotAllowed)
		if r.Method != http.MethodHead {
			renderPage(w, pageFailed, "This address only answers the browser's redirect.")
		}
		return
	}
	q := r.URL.Query()
	if !stateMatches(q, s.state) {
		s.ignored.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		renderPage(w, pageIgnored, "This address does not belong to the login in progress (an old tab, or another program's request), so it was ignored. Go back to Token Desk.")
		return
	}
	if !s.deliver(q) {
		w.WriteHeader(http.StatusConflict)
		renderPage(w, pageFailed, "This login already received its answer. Go back to Token Desk.")
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
		var oe *Error
		if errors.As(err, &oe) {
			renderPage(w, pageFailed, oe.Human())
			return
		}
		renderPage(w, pageFailed, err.Error())
		return
	}
	// The session is stored after this page is served; Token Desk itself
	// says whether that worked, so the page claims only the consent.
	renderPage(w, pageOK, "The account server accepted the login. You can close this tab; Token Desk shows whether the session was saved.")
}

// The headings of the pages the callback server shows.
const (
	pageOK      = "Login accepted"
	pageFailed  = "Login failed"
	pageIgnored = "Not this login"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Token Desk</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:4em auto;max-width:36em;padding:0 1em;color:#222}
h1{font-size:1.4em}.ok{color:#1b7f3b}.fail{color:#b3261e}</style></head>
<body><h1 class="{{if .OK}}ok{{else}}fail{{end}}">{{.Heading}}</h1>
<p>{{.Msg}}</p></body></html>`))

func renderPage(w http.ResponseWriter, heading, msg string) {
	_ = pageTmpl.Execute(w, struct {
		OK           bool
		Heading, Msg string
	}{heading == pageOK, heading, msg})
}
