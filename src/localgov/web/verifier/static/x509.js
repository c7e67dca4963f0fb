"use strict";
// Reading X.509 certificates (RFC 5280) for what a permit verifier needs: the signed part and its
// signature, issuer and subject, the unit code (subject OU), validity, the ECDSA public key and
// its curve, the extended key usages and localgov's permit-kinds extension
// (src/localgov/pki/extensions.py, oids.py). The key id is localgov's: the first 8 bytes of the
// SHA-256 of the certificate's DER.

import { sha256 } from "./bytes.js";
import { DerError, TAG, children, expect, oidText, readOnly, stringValue, timeValue } from "./der.js";

export const LOCALGOV_ARC = "2.25.330075782084232664028498117607865457869";
export const PERMIT_KINDS_EXTENSION = `${LOCALGOV_ARC}.1`;
export const EKU_PERMIT_SIGNING = `${LOCALGOV_ARC}.2`;
export const EKU_TRUST_LIST_SIGNING = `${LOCALGOV_ARC}.3`;
const EXTENDED_KEY_USAGE = "2.5.29.37";
const ORGANIZATIONAL_UNIT = "2.5.4.11";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const CURVES = { "1.2.840.10045.3.1.7": "P-256", "1.3.132.0.34": "P-384" };
const SIGNATURE_HASHES = { "1.2.840.10045.4.3.2": "SHA-256", "1.2.840.10045.4.3.3": "SHA-384" };
export const CURVE_BYTES = { "P-256": 32, "P-384": 48 };
const KID_LENGTH = 8;

export class CertificateError extends Error {}

function firstUnitCode(data, name) {
  for (const rdn of children(data, expect(name, TAG.SEQUENCE, "name"))) {
    for (const attribute of children(data, expect(rdn, TAG.SET, "name part"))) {
      const [type, value] = children(data, expect(attribute, TAG.SEQUENCE, "name attribute"));
      if (oidText(expect(type, TAG.OID, "attribute type").body) === ORGANIZATIONAL_UNIT) return stringValue(value);
    }
  }
  return null;
}

function readPublicKey(data, spki) {
  const [algorithm, key] = children(data, expect(spki, TAG.SEQUENCE, "public key info"));
  const [type, parameters] = children(data, expect(algorithm, TAG.SEQUENCE, "public key algorithm"));
  expect(key, TAG.BIT_STRING, "public key");
  if (oidText(expect(type, TAG.OID, "key type").body) !== EC_PUBLIC_KEY || parameters?.tag !== TAG.OID) return null;
  return CURVES[oidText(parameters.body)] ?? null;
}

// DER of SEQUENCE OF UTF8String: the kinds the certificate may sign.
function readPermitKinds(body) {
  const sequence = readOnly(body, TAG.SEQUENCE, "permit kinds extension");
  const kinds = new Set();
  for (const item of children(body, sequence)) kinds.add(stringValue(expect(item, TAG.UTF8_STRING, "permit kind")));
  return kinds;
}

function readExtendedKeyUsage(body) {
  const sequence = readOnly(body, TAG.SEQUENCE, "extended key usage");
  return new Set(children(body, sequence).map((item) => oidText(expect(item, TAG.OID, "key usage").body)));
}

function readExtensions(data, wrapper, certificate) {
  const [list] = children(data, wrapper);
  const seen = new Set();
  for (const extension of children(data, expect(list, TAG.SEQUENCE, "extensions"))) {
    const parts = children(data, expect(extension, TAG.SEQUENCE, "extension"));
    const id = oidText(expect(parts[0], TAG.OID, "extension id").body);
    if (seen.has(id)) throw new CertificateError(`extension ${id} appears twice`);
    seen.add(id);
    const value = expect(parts[parts.length - 1], TAG.OCTET_STRING, "extension value").body;
    if (id === PERMIT_KINDS_EXTENSION) certificate.permitKinds = readPermitKinds(value);
    else if (id === EXTENDED_KEY_USAGE) certificate.extendedKeyUsage = readExtendedKeyUsage(value);
  }
}

// An ECDSA-Sig-Value (DER) as the r || s WebCrypto verifies, each half `size` bytes.
export function rawSignature(der, size) {
  const sequence = readOnly(der, TAG.SEQUENCE, "signature");
  const integers = children(der, sequence);
  if (integers.length !== 2) throw new DerError("signature: expected two integers");
  const out = new Uint8Array(2 * size);
  integers.forEach((item, index) => {
    let body = expect(item, TAG.INTEGER, "signature integer").body;
    if (!body.length || body[0] & 0x80) throw new DerError("signature: integer is not positive");
    if (body.length > 1 && body[0] === 0 && !(body[1] & 0x80)) throw new DerError("signature: integer is not minimal");
    if (body[0] === 0) body = body.subarray(1);
    if (body.length > size) throw new DerError("signature: integer is too large for the curve");
    out.set(body, (index + 1) * size - body.length);
  });
  return out;
}

export async function parseCertificate(der) {
  try {
    const outer = readOnly(der, TAG.SEQUENCE, "certificate");
    const [tbs, signatureAlgorithm, signatureValue] = children(der, outer);
    expect(tbs, TAG.SEQUENCE, "tbsCertificate");
    const fields = children(der, tbs);
    let index = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] EXPLICIT version
    const [, innerAlgorithm, issuer, validity, subject, spki] = fields.slice(index, index + 6);
    index += 6;
    expect(innerAlgorithm, TAG.SEQUENCE, "tbs signature algorithm");
    const [notBefore, notAfter] = children(der, expect(validity, TAG.SEQUENCE, "validity"));
    const certificate = {
      der,
      tbs: der.subarray(tbs.start, tbs.end),
      issuer: der.subarray(expect(issuer, TAG.SEQUENCE, "issuer").start, issuer.end),
      subject: der.subarray(expect(subject, TAG.SEQUENCE, "subject").start, subject.end),
      unitCode: firstUnitCode(der, subject),
      notBefore: timeValue(notBefore),
      notAfter: timeValue(notAfter),
      spki: der.subarray(expect(spki, TAG.SEQUENCE, "public key info").start, spki.end),
      curve: readPublicKey(der, spki),
      signatureHash: null,
      signature: null,
      extendedKeyUsage: null,
      permitKinds: new Set(),
      kid: (await sha256(der)).slice(0, KID_LENGTH),
    };
    for (const field of fields.slice(index)) {
      if (field.tag === 0xa3) readExtensions(der, field, certificate);
    }
    const outerAlgorithm = der.subarray(expect(signatureAlgorithm, TAG.SEQUENCE, "signature algorithm").start, signatureAlgorithm.end);
    const innerBytes = der.subarray(innerAlgorithm.start, innerAlgorithm.end);
    if (outerAlgorithm.length !== innerBytes.length || outerAlgorithm.some((b, i) => b !== innerBytes[i])) {
      throw new CertificateError("the two signature algorithms differ");
    }
    const [algorithmId] = children(der, signatureAlgorithm);
    certificate.signatureHash = SIGNATURE_HASHES[oidText(expect(algorithmId, TAG.OID, "signature algorithm").body)] ?? null;
    const bits = expect(signatureValue, TAG.BIT_STRING, "signature value").body;
    if (bits[0] !== 0) throw new CertificateError("signature bit string has unused bits");
    certificate.signature = bits.subarray(1);
    return certificate;
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    throw new CertificateError(`not a certificate: ${error.message}`);
  }
}

export function pemToDer(text) {
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(text);
  if (!match) throw new CertificateError("no PEM certificate found");
  const binary = atob(match[1].replace(/\s+/g, ""));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const keyCache = new WeakMap();

// The certificate's public key as a WebCrypto ECDSA key (P-256 or P-384), imported once.
export async function publicKeyOf(certificate) {
  if (!certificate.curve) throw new CertificateError("the certificate's key is not ECDSA P-256 or P-384");
  let key = keyCache.get(certificate);
  if (!key) {
    key = await crypto.subtle.importKey("spki", certificate.spki, { name: "ECDSA", namedCurve: certificate.curve }, false, ["verify"]);
    keyCache.set(certificate, key);
  }
  return key;
}

// True if issuer's key signed certificate and certificate names issuer's subject as its issuer.
export async function isIssuedBy(certificate, issuer) {
  const { issuer: named } = certificate;
  if (named.length !== issuer.subject.length || named.some((b, i) => b !== issuer.subject[i])) return false;
  if (!certificate.signatureHash || !issuer.curve) return false;
  let signature;
  try {
    signature = rawSignature(certificate.signature, CURVE_BYTES[issuer.curve]);
  } catch {
    return false;
  }
  const key = await publicKeyOf(issuer);
  return crypto.subtle.verify({ name: "ECDSA", hash: certificate.signatureHash }, key, signature, certificate.tbs);
}
