package oauth

import (
	"crypto/subtle"
	"fmt"
	"net/url"
	"strings"
)

// stateMatches reports, in constant time, whether a redirect's query carries
// this login's state. Only a redirect that does may end the login: anything
// else (an old tab, another program, a web page) is ignored, whatever error
// it claims.
func stateMatches(q url.Values, wantState string) bool {
	st := q.Get("state")
	return wantState != "" && len(q["state"]) == 1 &&
		subtle.ConstantTimeCompare([]byte(st), []byte(wantState)) == 1
}

// errStateMismatch is the message for a redirect that does not belong to
// the login in progress.
func errStateMismatch() *Error {
	return &Error{Op: "login", Kind: KindLogin,
		Msg: "the address does not belong to the login in progress (wrong or missing state: an old tab, or another program's request); it was ignored"}
}

// parseCallback checks a loopback redirect's query and returns the
// authorization code. The state is checked first: an error carried by a
// redirect without this login's state is never believed. Where the server
// names itself (iss, RFC 9207) it must be issuer. DocuSign's deny redirect
// carries error=access_denied and error_message (not error_description).
// scopes are the scopes the login asked for, named by an invalid_scope
// message.
func parseCallback(q url.Values, wantState string, env Environment, scopes []string) (string, *Error) {
	if !stateMatches(q, wantState) {
		return "", errStateMismatch()
	}
	if iss, ok := q["iss"]; ok && (len(iss) != 1 || !sameIssuer(iss[0], env.BaseURL())) {
		return "", &Error{Op: "login", Kind: KindLogin, server: env.shortName(),
			Msg: fmt.Sprintf("the login answer names another server as its issuer, not %s (a mix-up attack or a misconfigured profile); check the profile's environment and log in again", env.serverName())}
	}
	if e := q.Get("error"); e != "" {
		desc := q.Get("error_message")
		if desc == "" {
			desc = q.Get("error_description")
		}
		err := &Error{Op: "login", Code: CleanText(e), Description: CleanText(desc), server: env.shortName()}
		switch e {
		case "access_denied":
			err.Kind, err.Msg = KindConsentDenied, msgDenied
		case "invalid_scope":
			err.Kind, err.Msg = KindMisconfigured, invalidScopeMsg(env, scopes)
		case "invalid_client", "unauthorized_client", "invalid_request", "unsupported_response_type":
			err.Kind, err.Msg = KindMisconfigured, misconfiguredMsg(env)
		default:
			err.Kind, err.Msg = KindLogin, env.serverName()+" ended the login with an error"
		}
		return "", err
	}
	code := q.Get("code")
	if code == "" || len(code) > 8192 {
		return "", &Error{Op: "login", Kind: KindLogin, Msg: "the browser came back without a usable authorization code; start the login again"}
	}
	return code, nil
}

// sameIssuer compares an RFC 9207 iss value with the environment's base URL,
// ignoring one trailing slash and the case of scheme and host.
func sameIssuer(iss, base string) bool {
	norm := func(s string) string {
		u, err := url.Parse(strings.TrimRight(s, "/"))
		if err != nil {
			return s
		}
		u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
		return u.String()
	}
	return norm(iss) == norm(base)
}

// parsePasted reads the address a person pasted after a manual consent:
// the whole http://127.0.0.1:PORT/callback?code=…&state=… address, or just
// its query. It returns the query, or an error that says what to paste.
func parsePasted(s string) (url.Values, *Error) {
	s = strings.TrimSpace(s)
	bad := &Error{Op: "login", Kind: KindLogin,
		Msg: "that is not the address the browser ended on; paste the whole address from the browser's address bar, starting with http://127.0.0.1:"}
	if s == "" || len(s) > 16384 {
		return nil, bad
	}
	raw := s
	if i := strings.IndexByte(s, '?'); i >= 0 {
		raw = s[i+1:]
	}
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		raw = raw[:i]
	}
	q, err := url.ParseQuery(raw)
	if err != nil || (q.Get("code") == "" && q.Get("error") == "") {
		return nil, bad
	}
	return q, nil
}
