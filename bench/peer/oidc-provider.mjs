// The yardstick: node-oidc-provider 9 configured to do the work our server does in each bench
// case (RS256 JWT access tokens, client_secret_basic, rotated refresh tokens with an ID token).
// Run as its own process by bench/run.mjs; configuration comes from BENCH_PEER (JSON).
// Storage is the provider's in-memory adapter: cheaper than any shared store a real deployment
// needs, which flatters the peer.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const { port, clients, secret } = JSON.parse(process.env.BENCH_PEER);
const issuer = `http://127.0.0.1:${port}`;
const RESOURCE = 'urn:bench:api';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = {
  ...privateKey.export({ format: 'jwk' }),
  use: 'sig',
  alg: 'RS256',
  kid: 'bench-rs256',
};

const accounts = new Map();
function account(accountId) {
  return {
    accountId,
    async claims() {
      return {
        sub: accountId,
        name: 'Bench User',
        email: `${accountId}@example.com`,
        email_verified: true,
      };
    },
  };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clients.cc,
      client_secret: secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api',
    },
    {
      client_id: clients.rt,
      client_secret: secret,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid api offline_access',
    },
  ],
  jwks: { keys: [jwk] },
  findAccount: async (_ctx, id) => accounts.get(id) ?? account(id),
  scopes: ['openid', 'offline_access', 'api'],
  claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // Like ours: a token answers only to the client it was issued to.
      allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
    },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx, client) => (client.clientId === clients.cc ? RESOURCE : undefined),
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: RESOURCE,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  issueRefreshToken: () => true,
  rotateRefreshToken: true,
  ttl: {
    AccessToken: 3600,
    ClientCredentials: 3600,
    IdToken: 3600,
    RefreshToken: 2592000,
    Grant: 2592000,
  },
  enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
});
provider.proxy = false;

// Bench-only minting of the state a case starts from (what our server gets from its password
// grant): grants, refresh tokens bound to the JWT resource, and opaque userinfo access tokens.
async function mint(kind, count) {
  const client = await provider.Client.find(clients.rt);
  const values = [];
  for (let i = 0; i < count; i += 1) {
    const accountId = `user-${i}`;
    const grant = new provider.Grant({ accountId, clientId: clients.rt });
    grant.addOIDCScope('openid offline_access');
    grant.addResourceScope(RESOURCE, 'api');
    const grantId = await grant.save();
    const now = Math.floor(Date.now() / 1000);
    if (kind === 'refresh') {
      const rt = new provider.RefreshToken({
        client,
        accountId,
        grantId,
        scope: 'openid offline_access api',
        resource: RESOURCE,
        gty: 'authorization_code',
        authTime: now,
        iiat: now,
      });
      values.push(await rt.save());
    } else {
      const at = new provider.AccessToken({
        client,
        accountId,
        grantId,
        scope: 'openid',
        gty: 'authorization_code',
      });
      values.push(await at.save());
    }
  }
  return values;
}

const handler = provider.callback();
http
  .createServer(async (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/bench/mint') {
      const values = await mint(
        url.searchParams.get('kind'),
        Number(url.searchParams.get('count')),
      );
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(values));
      return;
    }
    handler(req, res);
  })
  .listen(port, '127.0.0.1', () => process.stdout.write(`peer listening on ${port}\n`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
