// A wallet's view of a gov3 credential: verify it with the OpenWallet Foundation's
// @sd-jwt/sd-jwt-vc, letting the library fetch the revocation status list and the SD-JWT VC
// Type Metadata over HTTP from the issuer (the `vct` URL), as a wallet does.
//
// stdin:  {"credential": "...", "jwk": {...}}   (checked against the clock now)
// stdout: {"valid": true, "claims": {...}, "typeMetadata": {...}} or {"valid": false, "error": "..."}
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
  loadTypeMetadataFormat: true,
  statusListFetcher: async (uri) => {
    const response = await fetch(uri);
    if (!response.ok) throw new Error(`status list ${uri}: ${response.status}`);
    return response.text();
  },
});

let output;
try {
  const result = await instance.verify(input.credential);
  output = {
    valid: true,
    claims: result.payload,
    typeMetadata: result.typeMetadata?.mergedTypeMetadata ?? null,
  };
} catch (error) {
  output = { valid: false, error: String(error?.message ?? error) };
}
process.stdout.write(JSON.stringify(output));
