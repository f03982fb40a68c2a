// A real, OpenID-certified provider (npm `oidc-provider`) on 127.0.0.1 for the sign-in tests:
// the national digital ID that gov3 trusts, in miniature. Started by a pytest fixture with
//   node oidc_provider.mjs CONFIG.json
// where CONFIG.json holds {port, issuer, signing_jwks, client: {client_id, redirect_uris,
// post_logout_redirect_uris, jwks}, id_token_ttl}. It prints "listening" once it serves.
//
// Its development sign-in page takes any login: the login is the person's national id number,
// released as the `national_id` claim; `sub` is a pairwise identifier derived from it, as a real
// national ID gives each relying party its own.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const subjectOf = (login) => `sub-${createHash('sha256').update(login).digest('hex').slice(0, 24)}`;

const provider = new Provider(config.issuer, {
  clients: [
    {
      client_id: config.client.client_id,
      redirect_uris: config.client.redirect_uris,
      post_logout_redirect_uris: config.client.post_logout_redirect_uris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      request_object_signing_alg: 'ES256',
      id_token_signed_response_alg: 'ES256',
      jwks: config.client.jwks,
      // Each relying party sees its own identifier for a person, never the login (the number).
      subject_type: 'pairwise',
    },
  ],
  jwks: config.signing_jwks,
  // The national id travels in the ID token itself, so one signed token carries it.
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], profile: ['name'], national_id: ['national_id'] },
  scopes: ['openid', 'profile', 'national_id'],
  enabledJWA: {
    idTokenSigningAlgValues: ['ES256'],
    requestObjectSigningAlgValues: ['ES256'],
    clientAuthSigningAlgValues: ['ES256'],
  },
  features: {
    devInteractions: { enabled: true },
    requestObjects: { enabled: true, requireSignedRequestObject: true },
    rpInitiatedLogout: { enabled: true },
  },
  subjectTypes: ['public', 'pairwise'],
  pairwiseIdentifier: async (ctx, accountId, client) => subjectOf(`${client.clientId}:${accountId}`),
  pkce: { required: () => true },
  ttl: { IdToken: config.id_token_ttl ?? 3600 },
  async findAccount(ctx, login) {
    return {
      accountId: login,
      async claims() {
        return { sub: login, national_id: login, name: `Person ${login.slice(-4)}` };
      },
    };
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.listen(config.port, '127.0.0.1', () => {
  console.log('listening');
});
