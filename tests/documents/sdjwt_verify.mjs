// Verify an SD-JWT VC with an independent implementation: the OpenWallet Foundation's
// @sd-jwt/sd-jwt-vc, with an ES256 verifier built on node:crypto from the issuer's JWK.
//
// stdin:  {"credential": "...", "jwk": {...}, "now": 1700000000,
//          "status_list": {"uri": "...", "token": "..."}}   (now and status_list optional)
// stdout: {"valid": true, "header": {...}, "claims": {...}} or {"valid": false, "error": "..."}
import { createPublicKey, verify } from "node:crypto";
import { digest } from "@sd-jwt/crypto-nodejs";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const key = createPublicKey({ key: input.jwk, format: "jwk" });
const es256 = async (data, signature) =>
  verify(
    "sha256",
    Buffer.from(data, "utf8"),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );

const instance = new SDJwtVcInstance({
  hasher: digest,
  hashAlg: "sha-256",
  verifier: es256,
  statusListFetcher: async (uri) => {
    if (input.status_list && input.status_list.uri === uri) return input.status_list.token;
    throw new Error(`no status list given for ${uri}`);
  },
});

let output;
try {
  const result = await instance.verify(input.credential, { currentDate: input.now });
  if (result.header?.typ !== "dc+sd-jwt" || result.header?.alg !== "ES256") {
    throw new Error(`unexpected header ${JSON.stringify(result.header)}`);
  }
  output = { valid: true, header: result.header, claims: result.payload };
} catch (error) {
  output = { valid: false, error: String(error?.message ?? error) };
}
process.stdout.write(JSON.stringify(output));
