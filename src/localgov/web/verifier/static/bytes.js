"use strict";
// Byte helpers shared by the decoders: hex for map keys and messages, equality, concatenation.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(parts) {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

// Python's str.isspace() and str.strip() set (Unicode White_Space as CPython reads it): JavaScript's
// \s differs (it has U+FEFF, lacks U+001C..U+001F and U+0085), and verdicts must agree.
const SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const ALL_SPACE = new RegExp(`^[${SPACE}]+$`, "u");
const EDGE_SPACE = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, "gu");

export function isBlank(text) {
  return text.length === 0 || ALL_SPACE.test(text);
}

export function strip(text) {
  return text.replace(EDGE_SPACE, "");
}

// Characters as Python counts them (code points), not UTF-16 units.
export function codePointLength(text) {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

// Code point order, as Python compares strings (UTF-16 order differs above U+FFFF).
export function compareCodePoints(a, b) {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i].codePointAt(0) - right[i].codePointAt(0);
    if (difference) return difference;
  }
  return left.length - right.length;
}
