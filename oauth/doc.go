// Package oauth implements DocuSign's OAuth 2.0 Authorization Code Grant for a
// desktop client on top of golang.org/x/oauth2: the loopback consent flow with
// PKCE and state, the code exchange, refresh-token rotation and userinfo.
//
// It keeps no state of its own beyond a Session value the caller persists, and
// it knows nothing of storage or of any user interface. Every error it returns
// is an *Error whose Kind tells a caller what a person can do about it, and no
// error text ever contains a token, code, verifier or client secret.
package oauth
