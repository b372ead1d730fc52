// Package conformance runs the real tokendesk binary against an independent
// authorization server: oidc-provider (an OpenID-certified Node.js server)
// configured with DocuSign's routes, PKCE required and rotating refresh
// tokens with reuse detection. The server lives in server.mjs; its pinned
// npm dependencies in package.json and package-lock.json are installed with
// `npm ci` into node_modules by scripts/test.sh.
//
// oidc-provider is pinned to 8.8.1, the newest 8.x, because it must run on
// Debian bookworm's Node.js 18 as well as on Node.js 20: 9.x declares no
// engines but calls URL.parse (Node.js 20.18/22.1+) and crypto.hash (Node.js
// 20.12/21.7+) unguarded, so it fails on Node.js 18. 8.8.1 passes this suite
// on Node.js 18.20.4 (Debian) and 20.20.2.
//
// The tests skip when Node.js or the installed modules are missing, unless
// TOKENDESK_REQUIRE_CONFORMANCE=1 (set by scripts/test.sh), where they fail.
package conformance
