"use strict";
// Verifying a permit token in the browser, the checks and their order those of
// localgov.tokens.verify (docs/token-format.md §5): prefix, version, encoding, CBOR, signer,
// signature (WebCrypto), claims, what the certificate allows, dates, revocation. Bounded before
// any work proportional to the input: text length, inflated size, CBOR nesting.

import { b45decode, Base45Error } from "./base45.js";
import { codePointLength, concatBytes, sha256, strip } from "./bytes.js";
import { CborError, decode } from "./cbor.js";
import { ClaimsError, readClaims } from "./claims.js";
import { ALGORITHMS, CoseFormatError, CoseSignatureError, parseSign1, verifyEcdsa } from "./cose.js";
import { TokenError } from "./errors.js";
import { InflateError, inflateBounded } from "./inflate.js";

export const FORMAT_VERSION = 1;
export const PREFIX = `LG${FORMAT_VERSION}:`;
export const MAX_TOKEN_CHARS = 4296; // what a version 40 QR code holds in alphanumeric mode
export const MAX_INFLATED_BYTES = 8192;
export const CLOCK_LEEWAY_SECONDS = 300;
const MAX_VERSION_DIGITS = 3;
const ZLIB_FIRST_BYTE = 0x78;

function bodyStart(text) {
  if (text.startsWith(PREFIX)) return PREFIX.length;
  if (!text.startsWith("LG")) throw new TokenError("not_localgov_token", "text does not start with 'LG<version>:'");
  const colon = text.slice(0, 3 + MAX_VERSION_DIGITS).indexOf(":", 2);
  const version = colon < 0 ? "" : text.slice(2, colon);
  if (!/^[0-9]+$/.test(version)) throw new TokenError("not_localgov_token", "text does not start with 'LG<version>:'");
  throw new TokenError("unsupported_version", `format version ${version}; this verifier reads ${FORMAT_VERSION}`);
}

// The COSE bytes inside a token text.
export async function decodeText(input) {
  if (typeof input !== "string") throw new TokenError("not_localgov_token", "expected text");
  const text = strip(input);
  const start = bodyStart(text);
  // Counted as Python counts characters; only a text longer in UTF-16 units needs counting.
  if (text.length > MAX_TOKEN_CHARS && codePointLength(text) > MAX_TOKEN_CHARS) {
    throw new TokenError("malformed_encoding", "more characters than a QR code holds");
  }
  let data;
  try {
    data = b45decode(text.slice(start));
  } catch (error) {
    if (error instanceof Base45Error) throw new TokenError("malformed_encoding", `Base45: ${error.message}`);
    throw error;
  }
  if (data[0] === ZLIB_FIRST_BYTE) {
    try {
      data = await inflateBounded(data, MAX_INFLATED_BYTES);
    } catch (error) {
      if (error instanceof InflateError) throw new TokenError("malformed_encoding", error.message);
      throw error;
    }
  }
  return data;
}

function parseMessage(data) {
  let message;
  try {
    message = parseSign1(data);
  } catch (error) {
    if (error instanceof CoseFormatError) throw new TokenError("malformed_cbor", error.message);
    throw error;
  }
  // The key id must be signed: an unprotected one would let anyone move a signature to another
  // certificate of the same key (docs/token-format.md §2.1).
  if (message.protectedKid === null) {
    const where = message.kid !== null ? "must be in the protected header" : "is missing from the protected header";
    throw new TokenError("malformed_cbor", `the key id (header label 4) ${where}`);
  }
  return message;
}

async function checkSignature(message, candidates) {
  const signed = message.toBeSigned();
  let failure = null;
  for (const candidate of candidates) {
    // Each certificate's key takes one algorithm: ES256 for P-256, ES384 for P-384.
    if (candidate.alg !== message.alg) continue;
    try {
      await verifyEcdsa(message.alg, candidate.curve, candidate.publicKey, signed, message.signature);
      return candidate;
    } catch (error) {
      if (!(error instanceof CoseSignatureError)) throw error;
      failure = error;
    }
  }
  if (failure) throw new TokenError("bad_signature", failure.message);
  const allowed = [...new Set(candidates.map((c) => ALGORITHMS.get(c.alg).name))].sort().join(" or ");
  throw new TokenError("bad_signature", `algorithm ${String(message.alg)}; the certificate with this key id signs with ${allowed}`);
}

function iso(seconds) {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

function checkSignerAllowed(signer, claims) {
  if (!signer.kinds.has(claims.kind)) throw new TokenError("signer_not_allowed", `the certificate may not sign kind ${JSON.stringify(claims.kind)}`);
  if (signer.unitCode !== null && signer.unitCode !== claims.issuer) {
    throw new TokenError("signer_not_allowed", `a certificate of unit ${JSON.stringify(signer.unitCode)} cannot sign for issuer ${JSON.stringify(claims.issuer)}`);
  }
  if (!(signer.notBefore <= claims.issuedAt && claims.issuedAt <= signer.notAfter)) {
    throw new TokenError("signer_not_allowed", `issued ${iso(claims.issuedAt)}, outside the certificate's validity`);
  }
  if (signer.retiredAt !== null && claims.issuedAt > signer.retiredAt) {
    throw new TokenError("signer_not_allowed", `issued ${iso(claims.issuedAt)}, after the certificate was retired (${iso(signer.retiredAt)})`);
  }
}

const DIGITS = /[\u0660-\u0669\u06f0-\u06f9]/g;

// What Python's normalise_text makes of a text before hashing it: NFC, ASCII digits, stripped.
function normalise(text) {
  const digits = text.normalize("NFC").replace(DIGITS, (d) => String(d.charCodeAt(0) & 0xf));
  return strip(digits);
}

// The first 16 bytes of SHA-256 of "issuer NUL permit number", how revocation lists name a permit.
export async function revocationHash(issuer, permitNumber) {
  const encoder = new TextEncoder();
  const bytes = concatBytes([encoder.encode(normalise(issuer)), Uint8Array.of(0), encoder.encode(normalise(permitNumber))]);
  return (await sha256(bytes)).slice(0, 16);
}

// Verify a token at `atMs` (milliseconds since 1970, default now): { claims, kid, signer } or a
// thrown TokenError whose code is one of localgov.tokens.errors'.
export async function verifyToken(text, trust, revocations = null, atMs = Date.now()) {
  const message = parseMessage(await decodeText(text));
  const kid = message.protectedKid;
  const candidates = trust.candidates(kid);
  if (!candidates.length) throw new TokenError("unknown_signer", `key id is not on trust list ${trust.sequence}`);
  const signer = await checkSignature(message, candidates);
  let claims;
  try {
    claims = readClaims(decode(message.payload));
  } catch (error) {
    if (error instanceof CborError || error instanceof ClaimsError) throw new TokenError("malformed_cbor", `claims: ${error.message}`);
    throw error;
  }
  checkSignerAllowed(signer, claims);
  const startsAt = claims.validFrom ?? claims.issuedAt;
  if (atMs + CLOCK_LEEWAY_SECONDS * 1000 < startsAt * 1000) throw new TokenError("not_yet_valid", `valid from ${iso(startsAt)}`);
  if (claims.expiresAt !== null && atMs >= claims.expiresAt * 1000) throw new TokenError("expired", `expired at ${iso(claims.expiresAt)}`);
  if (revocations !== null && revocations.isRevoked(kid, await revocationHash(claims.issuer, claims.permitNumber))) {
    throw new TokenError("revoked", `permit ${claims.issuer}/${claims.permitNumber} is on revocation list ${revocations.sequence}`);
  }
  return { claims, kid, signer };
}

