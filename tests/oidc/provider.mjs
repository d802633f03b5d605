// A real OpenID Connect provider (npm oidc-provider, installed into .tools/oidc-provider by scripts/test-services.sh)
// for the sign-in tests. Usage: node tests/oidc/provider.mjs PORT APP_BASE_URL
// - Users (login page of the provider's development interactions; any password): "alice" has the operator role
//   claim, "bob" has none. Their "roles" claim comes with the profile scope (userinfo).
// - Clients: "digitgan" (the web app: authorization code + PKCE), and for bearer tokens on the API (client
//   credentials, JWT access tokens for resource api://digitgan): "ops-script" (operator role), "viewer-script" (no role),
//   "short-script" (operator, tokens expire after 2 s).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, '.tools', 'oidc-provider', 'package.json'));
const { default: Provider } = await import(require.resolve('oidc-provider'));

const [port, appBaseUrl] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const users = { alice: { name: 'Alice', roles: ['operator'] }, bob: { name: 'Bob', roles: [] } };
const scriptRoles = { 'ops-script': ['operator'], 'viewer-script': [], 'short-script': ['operator'] };
const script = (id) => ({ client_id: id, client_secret: `${id}-secret`, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] });

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'digitgan',
      client_secret: 'digitgan-secret',
      redirect_uris: [`${appBaseUrl}/signin-oidc`],
      post_logout_redirect_uris: [`${appBaseUrl}/signout-callback-oidc`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    ...Object.keys(scriptRoles).map(script),
  ],
  claims: { openid: ['sub'], profile: ['name', 'roles'] },
  async findAccount(_ctx, id) {
    const user = users[id] ?? { name: id, roles: [] };
    return { accountId: id, async claims() { return { sub: id, name: user.name, roles: user.roles }; } };
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => false,
      getResourceServerInfo: (_ctx, resource, client) => {
        if (resource !== 'api://digitgan') throw new Error(`unknown resource ${resource}`);
        return { scope: 'runs', audience: 'api://digitgan', accessTokenFormat: 'jwt', accessTokenTTL: client.clientId === 'short-script' ? 2 : 300 };
      },
    },
  },
  extraTokenClaims: (_ctx, token) => (token.kind === 'ClientCredentials' ? { roles: scriptRoles[token.clientId] ?? [] } : undefined),
  pkce: { required: () => true },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
