// Package oauth implements DocuSign's OAuth 2.0 Authorization Code Grant for a
// desktop client on top of golang.org/x/oauth2: the loopback consent flow with
// PKCE and state (the browser opens a local start URL that redirects to the
// consent page), a pasted-address and a manual flow for machines without a
// browser, the code exchange, refresh-token rotation and userinfo.
//
// It keeps no state of its own beyond a Session value the caller persists, and
// it knows nothing of storage or of any user interface. Every error it returns
// is an *Error whose Kind tells a caller what a person can do about it. No
// error text ever contains a token, code, verifier or client secret, and every
// string a server sends is passed through CleanText before anyone sees it.
//
// Each token-endpoint answer is parsed once, by the transport under x/oauth2;
// sessions are built from that parse, so a 200 answer that rotated the
// refresh token always yields the new session.
package oauth
