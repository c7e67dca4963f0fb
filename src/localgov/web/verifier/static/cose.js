"use strict";
// COSE_Sign1 (RFC 9052) parsing and ECDSA verification with WebCrypto, as
// localgov.tokens.cose does: tag 18, tag 61 wrapping 18, or untagged; no detached payload, no
// crit, no label in both headers but the key id (where the protected one counts). ES256 takes a
// P-256 key and a 64-byte r || s, ES384 a P-384 key and 96 bytes: never another pairing.

import { concatBytes } from "./bytes.js";
import { CborError, CborFloat, CborMap, Tagged, decode } from "./cbor.js";

export const ALG_ES256 = -7;
export const ALG_ES384 = -35;
export const HEADER_ALG = 1;
const HEADER_CRIT = 2;
export const HEADER_KID = 4;
const TAG_SIGN1 = 18;
const TAG_CWT = 61;

// Per algorithm: the curve its key must be on, the hash, the length of r || s.
export const ALGORITHMS = new Map([
  [ALG_ES256, { curve: "P-256", hash: "SHA-256", signatureLength: 64, name: "ES256 (-7)" }],
  [ALG_ES384, { curve: "P-384", hash: "SHA-384", signatureLength: 96, name: "ES384 (-35)" }],
]);

export class CoseFormatError extends Error {}
export class CoseSignatureError extends Error {}

function bstrHeader(length) {
  if (length < 24) return Uint8Array.of(0x40 | length);
  if (length < 0x100) return Uint8Array.of(0x58, length);
  if (length < 0x10000) return Uint8Array.of(0x59, length >> 8, length & 0xff);
  return Uint8Array.of(0x5a, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

const SIGNATURE1_PREFIX = Uint8Array.of(0x84, 0x6a, ...new TextEncoder().encode("Signature1"));

// Sig_structure = ["Signature1", protected, h'', payload] (RFC 9052 §4.4).
export function signedBytes(protectedBytes, payload) {
  return concatBytes([SIGNATURE1_PREFIX, bstrHeader(protectedBytes.length), protectedBytes, Uint8Array.of(0x40), bstrHeader(payload.length), payload]);
}

// Python compares the algorithm with ==, where -7.0 equals -7: a float header reads as its value.
function comparable(value) {
  return value instanceof CborFloat ? value.value : value;
}

export function parseSign1(data) {
  let item;
  try {
    item = decode(data);
  } catch (error) {
    if (error instanceof CborError) throw new CoseFormatError(error.message);
    throw error;
  }
  if (item instanceof Tagged && item.tag === TAG_CWT) {
    item = item.value;
    if (!(item instanceof Tagged)) throw new CoseFormatError("tag 61 (CWT) must wrap a tag 18 COSE_Sign1");
  }
  if (item instanceof Tagged) {
    if (item.tag !== TAG_SIGN1) throw new CoseFormatError(`tag ${item.tag} is not COSE_Sign1 (18)`);
    item = item.value;
  }
  if (!Array.isArray(item) || item.length !== 4) throw new CoseFormatError("COSE_Sign1 must be an array of 4 items");
  const [protectedBytes, unprotected, payload, signature] = item;
  if (!(protectedBytes instanceof Uint8Array)) throw new CoseFormatError("protected header must be a byte string");
  if (!(unprotected instanceof CborMap)) throw new CoseFormatError("unprotected header must be a map");
  if (payload === null) throw new CoseFormatError("detached payloads are not supported");
  if (!(payload instanceof Uint8Array)) throw new CoseFormatError("payload must be a byte string");
  if (!(signature instanceof Uint8Array)) throw new CoseFormatError("signature must be a byte string");
  let protectedMap = new CborMap();
  if (protectedBytes.length) {
    try {
      protectedMap = decode(protectedBytes);
    } catch (error) {
      if (error instanceof CborError) throw new CoseFormatError(`protected header: ${error.message}`);
      throw error;
    }
    if (!(protectedMap instanceof CborMap)) throw new CoseFormatError("protected header must encode a map");
  }
  for (const label of protectedMap.keys()) {
    if (label !== HEADER_KID && unprotected.has(label)) throw new CoseFormatError("a header label is both protected and not");
  }
  if (protectedMap.has(HEADER_CRIT) || unprotected.has(HEADER_CRIT)) {
    throw new CoseFormatError("critical header parameters (label 2) are not supported");
  }
  const header = (label) => (protectedMap.has(label) ? protectedMap.get(label) : unprotected.get(label));
  const kid = header(HEADER_KID);
  const protectedKid = protectedMap.get(HEADER_KID);
  return {
    protectedBytes,
    protected: protectedMap,
    unprotected,
    payload,
    signature,
    alg: comparable(header(HEADER_ALG)),
    // The key id for looking a key up (protected if there), and the one the signature covers.
    kid: kid instanceof Uint8Array ? kid : null,
    protectedKid: protectedKid instanceof Uint8Array ? protectedKid : null,
    toBeSigned: () => signedBytes(protectedBytes, payload),
  };
}

// Throws CoseSignatureError unless signature is alg's over data by key (a WebCrypto ECDSA key on
// curve). The pairing of algorithm and curve is checked first: a P-384 key is never checked with
// SHA-256, nor a P-256 key with SHA-384.
export async function verifyEcdsa(alg, curve, key, data, signature) {
  const algorithm = ALGORITHMS.get(alg);
  if (!algorithm) throw new CoseSignatureError(`algorithm ${String(alg)} is not supported (ES256, ES384 are)`);
  if (algorithm.curve !== curve) throw new CoseSignatureError(`${algorithm.name} needs a ${algorithm.curve} key`);
  if (signature.length !== algorithm.signatureLength) {
    throw new CoseSignatureError(`${algorithm.name} signature is ${signature.length} bytes, expected ${algorithm.signatureLength}`);
  }
  const good = await crypto.subtle.verify({ name: "ECDSA", hash: algorithm.hash }, key, signature, data);
  if (!good) throw new CoseSignatureError("the signature does not match the signed content");
}
