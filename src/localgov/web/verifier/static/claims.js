"use strict";
// Reading a permit's CWT claims map (docs/token-format.md §3), refusing what
// localgov.tokens.cwt.claims_from_map refuses. Texts are shown as signed, not normalised.
//
// Claims: { issuer, permitNumber, kind, holderName, issuedAt, expiresAt, validFrom (seconds or
// null), parcel, address, figures: [[name, value]] } where a decimal figure is its canonical
// text ("17.5", "240") and a count an integer (number or BigInt).

import { codePointLength, compareCodePoints, isBlank, strip } from "./bytes.js";
import { CborMap, isInteger, isPlain } from "./cbor.js";
import { FIGURES, FIGURE_BY_NAME, KINDS } from "./codes.js";

export const MAX_TEXT_LENGTH = 200;
const NUMERIC_DATE_END = 253402300800; // 9999-12-31, what Python's datetime holds
const CLAIM_ISS = 1;
const CLAIM_EXP = 4;
const CLAIM_NBF = 5;
const CLAIM_IAT = 6;
const CLAIM_PERMIT = -65537;
const READ_CLAIMS = new Set([CLAIM_ISS, CLAIM_EXP, CLAIM_NBF, CLAIM_IAT, CLAIM_PERMIT]);
const PERMIT_NUMBER = 1;
const KIND = 2;
const HOLDER = 3;
const PARCEL = 4;
const ADDRESS = 5;
const FIGURES_KEY = 6;
const PERMIT_KEYS = new Set([PERMIT_NUMBER, KIND, HOLDER, PARCEL, ADDRESS, FIGURES_KEY]);

export class ClaimsError extends Error {}

const ISO_8859_6 = new TextDecoder("iso-8859-6", { fatal: true });

// A text claim: a CBOR text string, or Arabic as ISO 8859-6 bytes (one byte a letter).
function text(value, where, required = false) {
  let result;
  if (typeof value === "string") {
    result = value;
  } else if (value instanceof Uint8Array) {
    try {
      result = ISO_8859_6.decode(value);
    } catch {
      throw new ClaimsError(`${where}: byte string is not ISO 8859-6 text`);
    }
  } else {
    throw new ClaimsError(`${where}: expected text`);
  }
  if (codePointLength(result) > MAX_TEXT_LENGTH) throw new ClaimsError(`${where}: longer than ${MAX_TEXT_LENGTH} characters`);
  if (required && isBlank(result)) throw new ClaimsError(`${where}: must not be empty`);
  return result;
}

function isDate(value) {
  return typeof value === "number" && value >= 0 && value < NUMERIC_DATE_END;
}

function date(claims, key, where) {
  const value = claims.get(key);
  if (!isDate(value)) throw new ClaimsError(`${where} (${key}): expected a NumericDate integer`);
  return value;
}

// value / 100 in its canonical decimal spelling: 24000 -> "240", 1750 -> "17.5", 5 -> "0.05".
export function fromHundredths(value) {
  const big = BigInt(value);
  const whole = big / 100n;
  const cents = big % 100n;
  if (cents === 0n) return whole.toString();
  const digits = cents.toString().padStart(2, "0");
  return `${whole}.${digits.endsWith("0") ? digits[0] : digits}`;
}

function isCount(value) {
  return isInteger(value) && value >= 0;
}

// The canonical order: registered figures by code, then the others by name.
function figureOrder([left], [right]) {
  const a = FIGURE_BY_NAME.get(left);
  const b = FIGURE_BY_NAME.get(right);
  if (a && b) return a.code - b.code;
  if (a || b) return a ? -1 : 1;
  return compareCodePoints(left, right);
}

function readFigures(figures) {
  if (!(figures instanceof CborMap)) throw new ClaimsError("figures (6): expected a map");
  const result = new Map();
  for (const [key, value] of figures.entries()) {
    if (isInteger(key)) {
      const spec = typeof key === "number" ? FIGURES.get(key) : undefined;
      if (!spec) throw new ClaimsError(`figure code ${key} is not registered`);
      if (spec.type === "text") {
        result.set(spec.name, text(value, `figure ${spec.name}`));
        continue;
      }
      if (!isCount(value)) throw new ClaimsError(`figure ${spec.name}: expected an integer >= 0`);
      result.set(spec.name, spec.type === "decimal" ? fromHundredths(value) : value);
    } else if (typeof key === "string") {
      if (isBlank(strip(key)) || FIGURE_BY_NAME.has(key) || result.has(key)) {
        throw new ClaimsError(`figure name ${JSON.stringify(key)} is empty, repeated or must be a code`);
      }
      result.set(key, isInteger(value) ? value : text(value, `figure ${key}`));
    } else {
      throw new ClaimsError("figure key is neither a code nor a name");
    }
  }
  return [...result].sort(figureOrder);
}

function optionalText(permit, key, where) {
  return permit.has(key) ? text(permit.get(key), where) : "";
}

export function readClaims(claims) {
  if (!(claims instanceof CborMap)) throw new ClaimsError("the payload is not a CWT claims map");
  for (const key of claims.keys()) {
    if (!READ_CLAIMS.has(key) && !isPlain(claims.get(key))) throw new ClaimsError("a claim holds a value that is not plain CBOR");
  }
  const permit = claims.get(CLAIM_PERMIT);
  if (!(permit instanceof CborMap)) throw new ClaimsError(`claim ${CLAIM_PERMIT} (permit) is missing or not a map`);
  for (const key of permit.keys()) {
    if (!PERMIT_KEYS.has(key)) throw new ClaimsError("permit map has unknown keys");
  }
  if (!claims.has(CLAIM_IAT)) throw new ClaimsError("claim 6 (iat) is missing");
  const issuedAt = date(claims, CLAIM_IAT, "iat");
  const expiresAt = claims.has(CLAIM_EXP) ? date(claims, CLAIM_EXP, "exp") : null;
  const validFrom = claims.has(CLAIM_NBF) ? date(claims, CLAIM_NBF, "nbf") : null;
  if (expiresAt !== null && expiresAt <= (validFrom ?? issuedAt)) throw new ClaimsError("exp (4) is not after the start of validity");
  let kind = permit.get(KIND);
  if (isInteger(kind)) {
    const registered = typeof kind === "number" ? KINDS.get(kind) : undefined;
    if (!registered) throw new ClaimsError(`permit kind code ${kind} is not registered`);
    kind = registered.name;
  } else {
    kind = text(kind, "kind (2)", true);
  }
  return {
    issuer: text(claims.get(CLAIM_ISS), "iss (1)", true),
    permitNumber: text(permit.get(PERMIT_NUMBER), "permit number (1)", true),
    kind,
    holderName: text(permit.get(HOLDER), "holder name (3)", true),
    issuedAt,
    expiresAt,
    validFrom,
    parcel: optionalText(permit, PARCEL, "parcel (4)"),
    address: optionalText(permit, ADDRESS, "address (5)"),
    figures: permit.has(FIGURES_KEY) ? readFigures(permit.get(FIGURES_KEY)) : [],
  };
}
