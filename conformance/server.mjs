// An independent authorization server for Token Desk's conformance tests:
// oidc-provider (OpenID-certified) configured the way DocuSign's account
// server behaves — the routes /oauth/auth, /oauth/token and /oauth/userinfo,
// PKCE (S256) required, refresh tokens rotated on every use with reuse
// detection (an already used refresh token revokes its whole grant), the
// custom scopes `signature` and `extended`, one public client (PKCE only)
// and one confidential client (client_secret_basic).
//
// Login and consent complete without a person: /interaction/:uid logs in
// the test account and grants what was asked, the way a user clicking
// "Accept" would, so a real headless browser can walk the whole flow.
//
// A second listener (the control port) serves /_test/... for the tests:
// counts, revocation, faults, and taking the OAuth listener down and up
// again without losing state. Both listen on 127.0.0.1 only.
//
// Configuration is one JSON object in the environment variable
// CONFORMANCE_CONFIG (see `defaults` below). When both listeners are up the
// server prints one line to stdout: READY <oauth port> <control port>
// <Node.js version>.
// It never prints a token, code or secret.
import crypto from 'node:crypto';
import http from 'node:http';
import { Provider, errors } from 'oidc-provider';

const defaults = {
  port: 0,
  controlPort: 0,
  accessTTL: 3600, // seconds
  refreshTTL: 30 * 24 * 3600, // seconds, a fresh full lifetime on each rotation (DocuSign's `extended`)
  publicClientId: '',
  confidentialClientId: '',
  confidentialClientSecret: '',
  redirectURIs: [],
};
const cfg = { ...defaults, ...JSON.parse(process.env.CONFORMANCE_CONFIG || '{}') };
delete process.env.CONFORMANCE_CONFIG; // holds the client secret

// ---- storage: one in-memory adapter that the control routes can enumerate.
const store = new Map(); // "Model:id" -> { payload, expiresAt }
const epoch = () => Math.floor(Date.now() / 1000);
class MemoryAdapter {
  constructor(name) { this.name = name; }
  key(id) { return `${this.name}:${id}`; }
  async upsert(id, payload, expiresIn) {
    store.set(this.key(id), { payload, expiresAt: expiresIn ? epoch() + expiresIn : undefined });
  }
  async find(id) {
    const e = store.get(this.key(id));
    if (!e) return undefined;
    if (e.expiresAt !== undefined && e.expiresAt <= epoch()) { store.delete(this.key(id)); return undefined; }
    return e.payload;
  }
  async findByUserCode() { return undefined; }
  async findByUid(uid) {
    for (const [k, e] of store) if (k.startsWith(`${this.name}:`) && e.payload.uid === uid) return this.find(k.slice(this.name.length + 1));
    return undefined;
  }
  async consume(id) { const e = store.get(this.key(id)); if (e) e.payload.consumed = epoch(); }
  async destroy(id) { store.delete(this.key(id)); }
  async revokeByGrantId(grantId) { revokeGrant(grantId); }
}
// revokeGrant deletes every token of a grant, and the grant itself.
function revokeGrant(grantId) {
  for (const [k, e] of store) if (e.payload.grantId === grantId || k === `Grant:${grantId}`) store.delete(k);
}

// ---- the test account, as DocuSign's userinfo describes it.
const account = {
  accountId: 'conformance-user',
  async claims() {
    return {
      sub: 'conformance-user',
      name: 'Conformance User',
      email: 'conformance.user@example.com',
      accounts: [{ account_id: '11111111-2222-3333-4444-555555555555', is_default: true,
        account_name: 'Conformance Account', base_uri: 'https://demo.docusign.net' }],
    };
  },
};

const clients = [];
if (cfg.publicClientId) {
  clients.push({ client_id: cfg.publicClientId, application_type: 'native', token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: cfg.redirectURIs });
}
if (cfg.confidentialClientId) {
  clients.push({ client_id: cfg.confidentialClientId, client_secret: cfg.confidentialClientSecret,
    application_type: 'web', token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: cfg.redirectURIs });
}

const provider = new Provider(`http://127.0.0.1:${cfg.port}`, {
  adapter: MemoryAdapter,
  jwks: { keys: [{ ...crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'conformance', use: 'sig', alg: 'RS256' }] },
  clients,
  routes: { authorization: '/oauth/auth', token: '/oauth/token', userinfo: '/oauth/userinfo',
    jwks: '/oauth/jwks', end_session: '/oauth/logout', revocation: '/oauth/revoke' },
  scopes: ['openid', 'offline_access', 'signature', 'extended'],
  claims: { openid: ['sub', 'name', 'email', 'accounts'] },
  findAccount: async (ctx, sub) => (sub === account.accountId ? account : undefined),
  pkce: { methods: ['S256'], required: () => true },
  rotateRefreshToken: true,
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
  ttl: { AccessToken: cfg.accessTTL, RefreshToken: cfg.refreshTTL, AuthorizationCode: 120, IdToken: 3600,
    Interaction: 600, Session: 86400, Grant: Math.max(cfg.refreshTTL * 10, 86400) },
  features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
  interactions: { url: async (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['tokendesk-conformance-cookie-key'] },
  renderError: async (ctx, out) => { ctx.type = 'text/plain'; ctx.body = `${out.error}: ${out.error_description || ''}`; },
});

// ---- counts and faults around the token endpoint.
const stats = { token_requests: 0, code_exchanges: 0, refreshes: 0, refresh_errors: 0, reuse_detected: 0,
  by_client: {} };
const faults = []; // { kind: '503' | 'float' | 'hold', ms }
provider.on('grant.success', (ctx) => {
  const gt = ctx.oidc.params.grant_type;
  const id = ctx.oidc.client?.clientId || '?';
  stats.by_client[id] = (stats.by_client[id] || 0) + 1;
  if (gt === 'refresh_token') stats.refreshes++;
  if (gt === 'authorization_code') stats.code_exchanges++;
});
provider.on('grant.error', (ctx, err) => {
  if (ctx.oidc?.params?.grant_type !== 'refresh_token') return;
  stats.refresh_errors++;
  if (err instanceof errors.InvalidGrant && /already used/.test(err.error_detail || err.error_description || '')) stats.reuse_detected++;
});
provider.use(async (ctx, next) => {
  if (ctx.path !== '/oauth/token') return next();
  stats.token_requests++;
  const f = faults.shift();
  if (f && f.kind === '503') {
    ctx.status = 503; ctx.type = 'application/json';
    ctx.body = '{"error":"temporarily_unavailable","error_description":"conformance fault"}';
    return undefined;
  }
  await next();
  if (f && f.kind === 'float' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
    // JSON.stringify writes 28800.0 as 28800; write the float form by hand.
    const { expires_in: exp, ...rest } = ctx.body;
    ctx.body = `${JSON.stringify(rest).slice(0, -1)},"expires_in":${Number(exp).toFixed(1)}}`;
    ctx.type = 'application/json';
  }
  if (f && f.kind === 'hold') await new Promise((r) => { setTimeout(r, f.ms || 3000); });
  return undefined;
});

// ---- the headless login and consent.
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;
  let result;
  if (prompt.name === 'login') {
    result = { login: { accountId: account.accountId } };
  } else {
    const grant = grantId ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

const oauthHandler = provider.callback();
const oauth = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      res.statusCode = 400; res.setHeader('Content-Type', 'text/plain');
      res.end(`interaction failed: ${err.message}`);
    });
    return;
  }
  oauthHandler(req, res);
});

// ---- the control listener.
function readBody(req) {
  return new Promise((resolve) => {
    let b = '';
    req.on('data', (c) => { b += c; });
    req.on('end', () => { try { resolve(b ? JSON.parse(b) : {}); } catch { resolve({}); } });
  });
}
function listenOAuth() {
  return new Promise((resolve, reject) => {
    oauth.once('error', reject);
    oauth.listen(cfg.port, '127.0.0.1', () => { oauth.off('error', reject); cfg.port = oauth.address().port; resolve(); });
  });
}
const control = http.createServer(async (req, res) => {
  const send = (code, obj) => { res.statusCode = code; res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify(obj)); };
  const body = await readBody(req);
  try {
    switch (req.url) {
      case '/_test/stats': return send(200, stats);
      case '/_test/revoke': { // an admin revokes the consent: every grant and its tokens
        let n = 0;
        for (const k of [...store.keys()]) if (k.startsWith('Grant:')) { revokeGrant(k.slice(6)); n++; }
        return send(200, { revoked: n });
      }
      case '/_test/fault': faults.push(...Array(body.count || 1).fill({ kind: body.kind, ms: body.ms })); return send(200, { queued: faults.length });
      case '/_test/refresh-token-valid': {
        const rt = await provider.RefreshToken.find(String(body.refresh_token || ''));
        return send(200, { valid: !!rt && !rt.consumed && !rt.isExpired });
      }
      case '/_test/down':
        await new Promise((r) => { oauth.close(() => r()); oauth.closeAllConnections(); });
        return send(200, { down: true });
      case '/_test/up': await listenOAuth(); return send(200, { up: true });
      default: return send(404, { error: 'unknown control route' });
    }
  } catch (err) {
    return send(500, { error: err.message });
  }
});

await listenOAuth();
if (cfg.port !== Number(new URL(provider.issuer).port)) {
  // port 0 was asked for: the issuer must carry the real port, so listen was
  // only a probe; this cannot happen when the test passes a port.
  console.error('conformance: pass an explicit port');
  process.exit(2);
}
await new Promise((r) => { control.listen(cfg.controlPort, '127.0.0.1', r); });
process.stdout.write(`READY ${cfg.port} ${control.address().port} ${process.version}\n`);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
