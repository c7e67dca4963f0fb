"use strict";
// CBOR encoding (RFC 8949) of what the tablet sends: integers (safe numbers), text, byte strings,
// booleans, null, arrays and Maps (keys in insertion order), definite lengths, shortest heads.
// Decoding is the verification page's own (/verify/static/cbor.js).

function head(major, value) {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`CBOR: ${value} is not an unsigned safe integer`);
  const first = major << 5;
  if (value < 24) return Uint8Array.of(first | value);
  if (value < 0x100) return Uint8Array.of(first | 24, value);
  if (value < 0x10000) return Uint8Array.of(first | 25, value >> 8, value & 0xff);
  if (value < 0x100000000) return Uint8Array.of(first | 26, value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
  const high = Math.floor(value / 0x100000000);
  const low = value >>> 0;
  return Uint8Array.of(first | 27, 0, 0, (high >> 8) & 0xff, high & 0xff, low >>> 24, (low >> 16) & 0xff, (low >> 8) & 0xff, low & 0xff);
}

function write(parts, value) {
  if (value === null || value === undefined) parts.push(Uint8Array.of(0xf6));
  else if (value === false) parts.push(Uint8Array.of(0xf4));
  else if (value === true) parts.push(Uint8Array.of(0xf5));
  else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new TypeError(`CBOR: ${value} is not an integer`);
    parts.push(value >= 0 ? head(0, value) : head(1, -1 - value));
  } else if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value);
    parts.push(head(3, bytes.length), bytes);
  } else if (value instanceof Uint8Array) parts.push(head(2, value.length), value);
  else if (Array.isArray(value)) {
    parts.push(head(4, value.length));
    for (const item of value) write(parts, item);
  } else if (value instanceof Map) {
    parts.push(head(5, value.size));
    for (const [key, item] of value) {
      write(parts, key);
      write(parts, item);
    }
  } else if (value instanceof Tag) {
    parts.push(head(6, value.tag));
    write(parts, value.value);
  } else throw new TypeError(`CBOR: cannot encode ${Object.prototype.toString.call(value)}`);
}

export class Tag {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

export function encode(value) {
  const parts = [];
  write(parts, value);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// Base45 (RFC 9285), for the receipt's QR text; decoding is the verification page's.
const BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

export function b45encode(bytes) {
  let out = "";
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = bytes[i] * 256 + bytes[i + 1];
    const c = n % 45;
    n = (n - c) / 45;
    out += BASE45[c] + BASE45[n % 45] + BASE45[Math.floor(n / 45)];
  }
  if (bytes.length % 2) {
    const n = bytes[bytes.length - 1];
    out += BASE45[n % 45] + BASE45[Math.floor(n / 45)];
  }
  return out;
}
