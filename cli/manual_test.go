package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/oauth/sandbox"
)

// lineWriter collects output and delivers its first line on a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	first chan string
	sent  bool
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if line, _, ok := strings.Cut(w.buf.String(), "\n"); ok && !w.sent {
		w.sent = true
		w.first <- line
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// consentRedirect plays a browser on another computer: it opens the consent
// URL on an auto-accepting sandbox and returns the address the browser
// would end on (the loopback callback, which it never reaches).
func consentRedirect(t *testing.T, consentURL string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(consentURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if !strings.Contains(loc, "/callback?") {
		t.Fatalf("consent ended on %q", loc)
	}
	return loc
}

func TestLoginManual(t *testing.T) {
	for _, tc := range []struct {
		name  string
		paste func(t *testing.T, redirect string) string
		code  int
		want  string
	}{
		{"the whole address", func(_ *testing.T, r string) string { return "  " + r + "  " }, ExitOK, "Logged in as Sandy Box"},
		{"another login's state", func(t *testing.T, r string) string {
			u, err := url.Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			q.Set("state", "forged-state-0123456789")
			u.RawQuery = q.Encode()
			return u.String()
		}, ExitError, "state"},
		{"not an address", func(*testing.T, string) string { return "hello" }, ExitError, "tokendesk:"},
		{"nothing", func(*testing.T, string) string { return "" }, ExitError, "pasted address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sandbox.Options{AutoAccept: true})
			h.addProfile("p")
			pr, pw := io.Pipe()
			out := &lineWriter{first: make(chan string, 1)}
			var errb bytes.Buffer
			env := Env{Stdin: pr, Stdout: out, Stderr: &errb, Manager: h.manager,
				OpenBrowser: func(string) error { return errors.New("no browser in manual mode") }}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			done := make(chan int, 1)
			go func() { done <- Run(ctx, []string{"login", "--manual", "-p", "p"}, env) }()
			var consent string
			select {
			case consent = <-out.first:
			case code := <-done:
				t.Fatalf("login --manual ended (%d) before printing the URL: %s", code, errb.String())
			}
			if !strings.HasPrefix(consent, h.srv.URL()+"/oauth/auth?") {
				t.Fatalf("stdout's first line is not the consent URL: %q", consent)
			}
			if p := tc.paste(t, consentRedirect(t, consent)); p != "" {
				_, _ = io.WriteString(pw, p+"\n")
			}
			pw.Close()
			code := <-done
			all := out.String() + errb.String()
			if code != tc.code || !strings.Contains(all, tc.want) {
				t.Fatalf("exit %d, want %d with %q; stdout %q stderr %q", code, tc.code, tc.want, out.String(), errb.String())
			}
			r := h.run("status", "--json")
			if loggedIn := r.code == 0; loggedIn != (tc.code == ExitOK) {
				t.Fatalf("status after the manual login: %+v", r)
			}
		})
	}
}
