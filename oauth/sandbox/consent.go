package sandbox

import (
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// scopeDescriptions explain scopes on the consent page; %s is replaced by
// the refresh-token lifetime.
var scopeDescriptions = map[string]string{
	"signature":     "Use the eSignature API on your behalf: create, send and manage envelopes.",
	"extended":      "Stay connected: every token refresh extends access by another %s. Without it, access ends %s after this sign-in.",
	"impersonation": "Act on your behalf without you being present (JWT grant).",
	"openid":        "Read your basic profile (OpenID Connect).",
	"cors":          "Call DocuSign APIs from a browser application.",
	"click.manage":  "Create and manage clickwraps.",
	"click.send":    "Send clickwraps.",
}

type scopeView struct{ Name, Description string }

type consentView struct {
	AppName, Key, UserName, Email, RequestID, Host string
	Scopes                                         []scopeView
	PromptLogin                                    bool
}

const pageStyle = `
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f4f5f7;color:#1d1d1f;margin:0}
main{max-width:460px;margin:48px auto;background:#fff;border-radius:10px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:28px 32px}
.badge{display:inline-block;font-size:12px;font-weight:600;letter-spacing:.04em;color:#7a4b00;background:#fff4d6;border:1px solid #f0d48a;border-radius:4px;padding:2px 8px}
h1{font-size:20px;margin:14px 0 6px}
p{line-height:1.45;margin:8px 0}
.muted{color:#5f6368;font-size:13px}
ul{padding:0;list-style:none;margin:16px 0}
li{border-top:1px solid #eceef1;padding:10px 0}
li b{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
li span{display:block;color:#444;font-size:14px;margin-top:2px}
.actions{display:flex;gap:12px;justify-content:flex-end;margin-top:22px}
button{font-size:15px;border-radius:6px;padding:9px 20px;cursor:pointer;border:1px solid #c7cbd1;background:#fff}
button.primary{background:#4c00ff;border-color:#4c00ff;color:#fff}
.error h1{color:#b3261e}
`

var consentTemplate = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Allow {{.AppName}} access? — DocuSign sandbox</title><style>` + pageStyle + `</style></head>
<body><main>
<span class="badge">LOCAL SANDBOX · {{.Host}} · not DocuSign</span>
<h1>{{.AppName}} wants to access your account</h1>
<p class="muted">Signed in as {{.UserName}} &lt;{{.Email}}&gt;.{{if .PromptLogin}} A fresh sign-in was requested (prompt=login).{{end}}</p>
<p class="muted">Integration key {{.Key}}</p>
<ul>{{range .Scopes}}<li><b>{{.Name}}</b><span>{{.Description}}</span></li>{{end}}</ul>
<form method="post" action="/oauth/consent">
<input type="hidden" name="request" value="{{.RequestID}}">
<div class="actions">
<button type="submit" name="decision" value="decline">Decline</button>
<button type="submit" name="decision" value="accept" class="primary" autofocus>Accept</button>
</div></form>
</main></body></html>
`))

var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} — DocuSign sandbox</title><style>` + pageStyle + `</style></head>
<body><main class="error">
<span class="badge">LOCAL SANDBOX · not DocuSign</span>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
</main></body></html>
`))

// pageHeaders sets headers that keep the pages self-contained: no external
// resources, no framing, no caching, no referrer.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// renderConsent writes the consent page for a pending request.
func (s *Server) renderConsent(w http.ResponseWriter, id string, req *consentRequest) {
	ttl := formatLifetime(s.opts.RefreshTTL)
	v := consentView{
		AppName: s.opts.AppName, Key: s.opts.IntegrationKey, UserName: s.user.Name, Email: s.user.Email,
		RequestID: id, Host: strings.TrimPrefix(s.url, "http://"), PromptLogin: req.prompt == "login",
	}
	for _, sc := range req.scopes {
		d, ok := scopeDescriptions[sc]
		switch {
		case sc == "extended":
			d = fmt.Sprintf(d, ttl, ttl)
		case !ok:
			d = "Access granted by the " + sc + " scope."
		}
		v.Scopes = append(v.Scopes, scopeView{Name: sc, Description: d})
	}
	pageHeaders(w)
	w.WriteHeader(http.StatusOK)
	_ = consentTemplate.Execute(w, v)
}

// formatLifetime writes a lifetime in the largest unit that keeps it
// readable: "30 days", "1 day", "36 hours", "10 minutes", "45 seconds".
func formatLifetime(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0, d >= 7*24*time.Hour:
		return unit(int64((d+12*time.Hour)/(24*time.Hour)), "day")
	case d >= 2*time.Hour || d >= time.Hour && d%time.Hour == 0:
		return unit(int64((d+30*time.Minute)/time.Hour), "hour")
	case d >= 2*time.Minute || d >= time.Minute && d%time.Minute == 0:
		return unit(int64((d+30*time.Second)/time.Minute), "minute")
	}
	return unit(int64((d+500*time.Millisecond)/time.Second), "second")
}

// errorPage writes a small HTML error page; it never redirects.
func (s *Server) errorPage(w http.ResponseWriter, status int, title, message string) {
	pageHeaders(w)
	w.WriteHeader(status)
	_ = errorTemplate.Execute(w, struct{ Title, Message string }{title, message})
}

// handleConsent serves the consent form's POST /oauth/consent. The opaque
// request id is unguessable and single-use, cross-site posts are refused
// (Origin / Sec-Fetch-Site), and the answer redirects to the registered URI
// captured when the page was shown.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.errorPage(w, http.StatusMethodNotAllowed, "Method not allowed", "Answer the consent page with its buttons.")
		return
	}
	if !s.sameOrigin(r) {
		s.logf("sandbox: consent rejected: cross-site form post")
		s.errorPage(w, http.StatusForbidden, "Request refused", "The consent form was posted from another site.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, http.StatusBadRequest, "Bad request", "The consent form could not be read.")
		return
	}
	id, decision := r.PostForm.Get("request"), r.PostForm.Get("decision")
	if decision != "accept" && decision != "decline" {
		s.errorPage(w, http.StatusBadRequest, "Bad request", "Choose Accept or Decline.")
		return
	}
	s.mu.Lock()
	req, ok := s.pending[id]
	delete(s.pending, id)
	if ok && !s.nowLocked().Before(req.expires) {
		ok = false
	}
	if ok && decision == "decline" {
		s.stats.ConsentDenied++
	}
	s.mu.Unlock()
	if !ok {
		s.errorPage(w, http.StatusBadRequest, "Request expired",
			"This consent request has expired or was already answered. Start the login again from the application.")
		return
	}
	if decision == "decline" {
		s.logf("sandbox: consent declined")
		redirectTo(w, req.redirectURI, "error", "access_denied", "error_message", msgDenied, "state", req.state)
		return
	}
	s.logf("sandbox: consent accepted")
	code := s.approve(req)
	redirectTo(w, req.redirectURI, "code", code, "state", req.state)
}

// sameOrigin refuses form posts a browser marks as cross-site. Requests
// without those headers (non-browser clients, tests) are allowed; the
// single-use random request id is the main protection.
func (s *Server) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	_, myPort, _ := net.SplitHostPort(strings.TrimPrefix(s.url, "http://"))
	host := u.Hostname()
	ip := net.ParseIP(host)
	return u.Scheme == "http" && u.Port() == myPort && (strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback()))
}
