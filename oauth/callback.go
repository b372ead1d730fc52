package oauth

import (
	"crypto/subtle"
	"net/url"
)

// parseCallback checks a loopback redirect's query against the expected
// state and returns the authorization code. DocuSign's deny redirect carries
// error=access_denied and error_message (not error_description).
func parseCallback(q url.Values, wantState string) (string, *Error) {
	if e := q.Get("error"); e != "" {
		desc := q.Get("error_message")
		if desc == "" {
			desc = q.Get("error_description")
		}
		err := &Error{Op: "login", Code: shortField(e), Description: shortField(desc)}
		switch e {
		case "access_denied":
			err.Kind, err.Msg = KindConsentDenied, msgDenied
		case "invalid_client", "unauthorized_client", "invalid_request", "unsupported_response_type", "invalid_scope":
			err.Kind, err.Msg = KindMisconfigured, msgMisconfigured
		default:
			err.Kind, err.Msg = KindLogin, "DocuSign ended the login with an error"
		}
		return "", err
	}
	st := q.Get("state")
	if wantState == "" || subtle.ConstantTimeCompare([]byte(st), []byte(wantState)) != 1 {
		return "", &Error{Op: "login", Kind: KindLogin,
			Msg: "the browser came back with a login state that does not match this login (an old tab, or another program's request); start the login again"}
	}
	code := q.Get("code")
	if code == "" || len(code) > 8192 {
		return "", &Error{Op: "login", Kind: KindLogin, Msg: "the browser came back without a usable authorization code; start the login again"}
	}
	return code, nil
}
