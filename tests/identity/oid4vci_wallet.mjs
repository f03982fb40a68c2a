// A wallet built on an independent OID4VCI implementation (npm @openid4vc/openid4vci, the
// OpenWallet Foundation's oid4vc-ts): it resolves gov3's credential offer and metadata, redeems
// the pre-authorized code with the transaction code, fetches a c_nonce, signs the proof with
// its own P-256 key (node:crypto) and retrieves the credential.
//
// stdin:  {"offer": "openid-credential-offer://?…", "tx_code": "123456"}
// stdout: {"credentials": [...], "jwk": {...}} or {"error": "..."}
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { clientAuthenticationAnonymous, setGlobalConfig } from "@openid4vc/oauth2";
import { Openid4vciClient } from "@openid4vc/openid4vci";

// The test server is http://localhost:PORT; a real deployment is https only.
setGlobalConfig({ allowInsecureUrls: true });

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const publicJwk = publicKey.export({ format: "jwk" });
const part = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");

const client = new Openid4vciClient({
  callbacks: {
    fetch,
    generateRandom: (length) => randomBytes(length),
    hash: (data, algorithm) => createHash(algorithm.replace("-", "")).update(data).digest(),
    signJwt: async (_signer, { header, payload }) => {
      const signingInput = `${part(header)}.${part(payload)}`;
      const signature = sign("sha256", Buffer.from(signingInput), {
        key: privateKey,
        dsaEncoding: "ieee-p1363",
      }).toString("base64url");
      return { jwt: `${signingInput}.${signature}`, signerJwk: publicJwk };
    },
    clientAuthentication: clientAuthenticationAnonymous(),
  },
});

let output;
try {
  const offer = await client.resolveCredentialOffer(input.offer);
  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: offer,
    issuerMetadata,
    txCode: input.tx_code,
  });
  const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata });
  const credentialConfigurationId = offer.credential_configuration_ids[0];
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId,
    nonce,
    signer: { method: "jwk", alg: "ES256", publicJwk },
  });
  const result = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId,
    proofs: { jwt: [jwt] },
  });
  output = { credentials: result.credentialResponse.credentials, jwk: publicJwk };
} catch (error) {
  output = { error: String(error?.message ?? error), detail: error?.errorResponse ?? null };
}
process.stdout.write(JSON.stringify(output));
