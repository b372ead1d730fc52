// Package conformance runs the real tokendesk binary against an independent
// authorization server: oidc-provider (an OpenID-certified Node.js server)
// configured with DocuSign's routes, PKCE required and rotating refresh
// tokens with reuse detection. The server lives in server.mjs; its pinned
// npm dependencies in package.json and package-lock.json are installed with
// `npm ci` into node_modules by scripts/test.sh.
//
// The tests skip when Node.js or the installed modules are missing, unless
// TOKENDESK_REQUIRE_CONFORMANCE=1 (set by scripts/test.sh), where they fail.
package conformance
