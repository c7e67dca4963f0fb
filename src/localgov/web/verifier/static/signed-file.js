"use strict";
// Signed files (trust lists, revocation lists): a COSE_Sign1 by the national root or by a
// trust-list-signing certificate the root issued, carried as x5chain (label 33, RFC 9360), as
// localgov.tokens.signed_file checks them. Key 1 of the payload names the file type, so one kind
// of signed file is never taken for another.

import { equalBytes } from "./bytes.js";
import { CborError, CborMap, decode } from "./cbor.js";
import { CoseFormatError, CoseSignatureError, parseSign1, verifyEcdsa } from "./cose.js";
import { CertificateError, EKU_TRUST_LIST_SIGNING, isIssuedBy, parseCertificate, publicKeyOf } from "./x509.js";

const HEADER_X5CHAIN = 33;
const FILE_TYPE = 1;
const MAX_SIGNED_FILE = 16 * 1024 * 1024;

export class SignedFileError extends Error {}

async function checkSigner(certificate, root, at, fileType) {
  if (!(await isIssuedBy(certificate, root))) throw new SignedFileError(`${fileType}: the signer is not issued by the root`);
  if (!certificate.extendedKeyUsage?.has(EKU_TRUST_LIST_SIGNING)) {
    throw new SignedFileError(`${fileType}: the signer is not a trust-list signing certificate`);
  }
  if (!(certificate.notBefore <= at && at <= certificate.notAfter)) {
    throw new SignedFileError(`${fileType}: the signer is not valid at ${new Date(at * 1000).toISOString()}`);
  }
}

// The payload map of a signed file, verified against root (a parsed certificate) at `at` (seconds).
export async function openSignedFile(data, root, fileType, at) {
  if (data.length > MAX_SIGNED_FILE) throw new SignedFileError(`${fileType}: file of ${data.length} bytes is too large`);
  try {
    const message = parseSign1(data);
    const x5chain = message.protected.get(HEADER_X5CHAIN);
    let signer = root;
    if (x5chain instanceof Uint8Array) {
      signer = await parseCertificate(x5chain);
      await checkSigner(signer, root, at, fileType);
    } else if (x5chain !== undefined) {
      throw new SignedFileError(`${fileType}: x5chain must be one DER certificate`);
    }
    if (message.kid !== null && !equalBytes(message.kid, signer.kid)) {
      throw new SignedFileError(`${fileType}: kid does not match the signing certificate`);
    }
    await verifyEcdsa(message.alg, signer.curve, await publicKeyOf(signer), message.toBeSigned(), message.signature);
    const payload = decode(message.payload);
    if (!(payload instanceof CborMap) || payload.get(FILE_TYPE) !== fileType) throw new SignedFileError(`the file is not a ${fileType}`);
    return payload;
  } catch (error) {
    if (error instanceof SignedFileError) throw error;
    if (error instanceof CoseFormatError || error instanceof CoseSignatureError || error instanceof CborError || error instanceof CertificateError) {
      throw new SignedFileError(`${fileType}: ${error.message}`);
    }
    throw error;
  }
}

// A NumericDate or sequence number as Python's signed-file readers accept it.
export const MAX_NUMBER = 253402300800;

export function isNumber(value) {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value < MAX_NUMBER;
}
