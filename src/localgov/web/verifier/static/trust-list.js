"use strict";
// The trust list (docs/token-format.md §6): which document-signing certificates are accepted,
// each with what is read from it once: key id, the one algorithm its curve allows, unit code,
// permit kinds, validity, retirement. As localgov.tokens.trust reads it.

import { toHex } from "./bytes.js";
import { CborMap } from "./cbor.js";
import { ALG_ES256, ALG_ES384 } from "./cose.js";
import { SignedFileError, isNumber, openSignedFile } from "./signed-file.js";
import { CertificateError, parseCertificate, publicKeyOf } from "./x509.js";

export const TRUST_LIST_TYPE = "localgov-trust-list";
const SEQUENCE = 2;
const ISSUED_AT = 3;
const NEXT_UPDATE = 4;
const ENTRIES = 5;
const CERTIFICATE = 1;
const RETIRED_AT = 2;
const ALG_OF_CURVE = { "P-256": ALG_ES256, "P-384": ALG_ES384 };

async function readSigner(entry, position) {
  const der = entry instanceof CborMap ? entry.get(CERTIFICATE) : undefined;
  const retired = entry instanceof CborMap ? (entry.get(RETIRED_AT) ?? null) : null;
  if (!(der instanceof Uint8Array) || (retired !== null && !isNumber(retired))) {
    throw new SignedFileError(`trust list: entry ${position} is malformed`);
  }
  try {
    const certificate = await parseCertificate(der);
    const alg = ALG_OF_CURVE[certificate.curve];
    if (alg === undefined) throw new CertificateError("document-signing keys must be ECDSA P-256 or P-384");
    return {
      certificate,
      kid: certificate.kid,
      alg,
      curve: certificate.curve,
      unitCode: certificate.unitCode,
      kinds: certificate.permitKinds,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      retiredAt: retired,
      publicKey: await publicKeyOf(certificate),
    };
  } catch (error) {
    if (error instanceof CertificateError || error instanceof DOMException) {
      throw new SignedFileError(`trust list: entry ${position}: ${error.message}`);
    }
    throw error;
  }
}

export class TrustList {
  constructor(sequence, issuedAt, nextUpdate, signers) {
    this.sequence = sequence;
    this.issuedAt = issuedAt;
    this.nextUpdate = nextUpdate;
    this.signers = signers;
    // Truncated key ids can collide: every certificate sharing one is kept.
    this.byKid = new Map();
    for (const signer of signers) {
      const id = toHex(signer.kid);
      this.byKid.set(id, [...(this.byKid.get(id) ?? []), signer]);
    }
  }

  candidates(kid) {
    return this.byKid.get(toHex(kid)) ?? [];
  }
}

// Verify a signed trust-list file against root (a parsed certificate) at `at` (seconds) and read it.
export async function openTrustList(data, root, at) {
  const payload = await openSignedFile(data, root, TRUST_LIST_TYPE, at);
  const entries = payload.get(ENTRIES);
  if (!Array.isArray(entries)) throw new SignedFileError("trust list: entries (5) must be an array");
  const signers = [];
  for (const [position, entry] of entries.entries()) signers.push(await readSigner(entry, position));
  const number = (key, name, optional = false) => {
    const value = payload.get(key);
    if ((value === undefined || value === null) && optional) return null;
    if (!isNumber(value)) throw new SignedFileError(`trust list: ${name} (${key}) must be an integer >= 0`);
    return value;
  };
  const sequence = number(SEQUENCE, "sequence");
  const issuedAt = number(ISSUED_AT, "issued at");
  return new TrustList(sequence, issuedAt, number(NEXT_UPDATE, "next update", true), signers);
}
