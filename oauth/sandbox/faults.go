package sandbox

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Fault describes a misbehaviour the server applies to matching requests
// instead of (or before) answering them normally. See InjectFault.
type Fault struct {
	// Path restricts the fault to one URL path, e.g. "/oauth/token"; empty
	// matches every request.
	Path string
	// Status, if non-zero, is written with ContentType and Body instead of
	// the normal answer.
	Status int
	// ContentType is the Content-Type header sent with Status; none if empty.
	ContentType string
	// Body is the response body sent with Status.
	Body string
	// Delay holds the request this long before anything else happens. The
	// request gets no answer if its context ends first (client gave up or
	// the server closed). With Status zero and Drop false the request is
	// then answered normally.
	Delay time.Duration
	// Drop hijacks the connection and closes it without writing a response.
	Drop bool
	// RetryAfter, if set, is sent as the Retry-After header with Status
	// (delay seconds or an HTTP date).
	RetryAfter string
	// ExpiresInFloat lets the request be served normally (a refresh really
	// rotates) and rewrites the answer's "expires_in":N as "expires_in":N.0,
	// a JSON number that integer-only parsers refuse.
	ExpiresInFloat bool
}

// pendingFault is an injected fault and how many more requests it applies to.
type pendingFault struct {
	f    Fault
	left int
}

// InjectFault applies f to the next n requests whose path matches f.Path.
// Faults are matched in the order they were injected; each matching request
// uses up one application of the first fault it matches. n <= 0 does nothing.
func (s *Server) InjectFault(f Fault, n int) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	s.faults = append(s.faults, &pendingFault{f: f, left: n})
	s.mu.Unlock()
}

// HTMLFault returns a fault answering with an HTML error page of the given
// status, like a proxy or load balancer in front of the account server.
func HTMLFault(status int) Fault {
	text := http.StatusText(status)
	return Fault{
		Status:      status,
		ContentType: "text/html",
		Body: fmt.Sprintf("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			status, text, status, text),
	}
}

// MalformedJSONFault returns a fault answering 200 with a JSON token
// response cut off mid-way.
func MalformedJSONFault() Fault {
	return Fault{
		Status:      http.StatusOK,
		ContentType: "application/json; charset=utf-8",
		Body:        `{"access_token":"eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.AQoAAAAB","token_type":"Bearer","refresh_to`,
	}
}

// ServerErrorFault returns a fault answering status with a JSON error body
// {"error":code,"reference_id":...}, code as OAuth (RFC 6749 §5.2, §4.1.2.1)
// names it: "temporarily_unavailable" for 503, "server_error" for any other
// status (500 among them).
func ServerErrorFault(status int) Fault {
	code := "server_error"
	if status == http.StatusServiceUnavailable {
		code = "temporarily_unavailable"
	}
	return Fault{
		Status:      status,
		ContentType: "application/json; charset=utf-8",
		Body:        `{"error":"` + code + `","reference_id":"00000000-0000-0000-0000-000000000503"}`,
	}
}

// ExpiresInFloatFault returns a fault that serves the request normally and
// writes expires_in as a float (28800.0) in the answer.
func ExpiresInFloatFault() Fault { return Fault{ExpiresInFloat: true} }

// expiresIn matches an integer expires_in member of a JSON answer.
var expiresIn = regexp.MustCompile(`"expires_in":(-?[0-9]+)([,}])`)

// bufferedWriter holds a handler's answer so a fault can rewrite it.
type bufferedWriter struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.h }
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

// serveFloat serves r normally and rewrites expires_in as a float.
func serveFloat(next http.Handler, w http.ResponseWriter, r *http.Request) {
	bw := &bufferedWriter{h: http.Header{}}
	next.ServeHTTP(bw, r)
	out := expiresIn.ReplaceAll(bw.body.Bytes(), []byte(`"expires_in":$1.0$2`))
	for k, v := range bw.h {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	if bw.status == 0 {
		bw.status = http.StatusOK
	}
	w.WriteHeader(bw.status)
	_, _ = w.Write(out)
}

// takeFault returns the first pending fault matching path, using up one of
// its applications.
func (s *Server) takeFault(path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, pf := range s.faults {
		if pf.f.Path != "" && pf.f.Path != path {
			continue
		}
		pf.left--
		if pf.left <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		s.stats.Faults++
		return pf.f, true
	}
	return Fault{}, false
}

// injectFaults applies pending faults before the normal handlers run.
func (s *Server) injectFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := s.takeFault(r.URL.Path)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		s.logf("sandbox: fault injected on %s %s", r.Method, r.URL.Path)
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch {
		case f.Drop:
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				// Cannot hijack (e.g. HTTP/2): abort the response instead.
				panic(http.ErrAbortHandler)
			}
			_ = conn.Close()
		case f.ExpiresInFloat:
			serveFloat(next, w, r)
		case f.Status != 0:
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			if f.ContentType != "" {
				w.Header().Set("Content-Type", f.ContentType)
			} else {
				w.Header()["Content-Type"] = nil // no sniffing either
			}
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
		default:
			next.ServeHTTP(w, r)
		}
	})
}
