"use strict";
// Revocation lists (docs/token-format.md §7): revoked permits named by the first 16 bytes of the
// SHA-256 of "issuer NUL permit number", grouped by the key id of the certificate that signed
// them, each group one byte string of sorted hashes. As localgov.tokens.revocation reads them.

import { toHex } from "./bytes.js";
import { CborMap } from "./cbor.js";
import { SignedFileError, isNumber, openSignedFile } from "./signed-file.js";

export const REVOCATION_LIST_TYPE = "localgov-revocation-list";
const HASH_LENGTH = 16;
const SEQUENCE = 2;
const BASE = 3;
const ISSUED_AT = 4;
const REVOKED = 5;
const REINSTATED = 6;

// kid hex -> Set of hash hex; empty groups dropped.
function readGroups(groups) {
  if (!(groups instanceof CborMap)) throw new SignedFileError("revocation list: hash groups must be a map");
  const result = new Map();
  for (const [kid, packed] of groups.entries()) {
    if (!(kid instanceof Uint8Array) || !(packed instanceof Uint8Array) || packed.length % HASH_LENGTH) {
      throw new SignedFileError("revocation list: a group is not kid -> packed 16-byte hashes");
    }
    const hashes = new Set();
    for (let i = 0; i < packed.length; i += HASH_LENGTH) hashes.add(toHex(packed.subarray(i, i + HASH_LENGTH)));
    if (hashes.size) result.set(toHex(kid), hashes);
  }
  return result;
}

export class RevocationList {
  constructor(sequence = 0, revoked = new Map(), issuedAt = null) {
    this.sequence = sequence;
    this.revoked = revoked;
    this.issuedAt = issuedAt;
  }

  isRevoked(kid, permitHash) {
    return this.revoked.get(toHex(kid))?.has(toHex(permitHash)) ?? false;
  }

  // The list after one signed update: a full list replaces it unless older, a delta must start
  // where this list ends.
  apply(update) {
    if (update.base === null) {
      if (update.sequence < this.sequence) throw new SignedFileError(`full revocation list ${update.sequence} is older than ${this.sequence}`);
      return new RevocationList(update.sequence, update.revoked, update.issuedAt);
    }
    if (update.base !== this.sequence) {
      throw new SignedFileError(`revocation delta ${update.base}->${update.sequence} does not apply to list ${this.sequence}`);
    }
    const merged = new Map([...this.revoked].map(([kid, hashes]) => [kid, new Set(hashes)]));
    for (const [kid, hashes] of update.revoked) merged.set(kid, new Set([...(merged.get(kid) ?? []), ...hashes]));
    for (const [kid, hashes] of update.reinstated) for (const hash of hashes) merged.get(kid)?.delete(hash);
    return new RevocationList(update.sequence, merged, update.issuedAt);
  }
}

// One signed revocation file, verified against root at `at` (seconds).
export async function openRevocationUpdate(data, root, at) {
  const payload = await openSignedFile(data, root, REVOCATION_LIST_TYPE, at);
  const sequence = payload.get(SEQUENCE);
  const base = payload.get(BASE) ?? null;
  const issuedAt = payload.get(ISSUED_AT);
  for (const [name, value] of [["sequence", sequence], ["issued at", issuedAt], ["base", base]]) {
    if (!(value === null && name === "base") && !isNumber(value)) {
      throw new SignedFileError(`revocation list: ${name} must be an integer >= 0`);
    }
  }
  const revoked = readGroups(payload.has(REVOKED) ? payload.get(REVOKED) : new CborMap());
  const reinstated = readGroups(payload.has(REINSTATED) ? payload.get(REINSTATED) : new CborMap());
  if (base === null && reinstated.size) throw new SignedFileError("revocation list: a full revocation list cannot reinstate anything");
  if (base !== null && base >= sequence) throw new SignedFileError(`revocation list: delta base ${base} must precede its sequence ${sequence}`);
  return { sequence, base, issuedAt, revoked, reinstated };
}

// The list a verifier starting from nothing holds after this one file (RevocationList.from_updates).
export async function openRevocationList(data, root, at) {
  return new RevocationList().apply(await openRevocationUpdate(data, root, at));
}
