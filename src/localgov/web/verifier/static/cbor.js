"use strict";
// A strict, bounded CBOR (RFC 8949) decoder for bytes read off a stranger's QR code, accepting
// what localgov.tokens.cbor's reference decoder accepts and nothing more: definite lengths,
// integer/text/byte-string map keys each at most once, valid UTF-8, false/true/null and floats,
// tags returned as Tagged for the caller to judge, at most maxDepth nested containers (tags
// count), no trailing bytes, and never a declared length larger than the bytes left.
//
// Values: integers are numbers when safe, BigInt beyond 2^53; byte strings Uint8Array; text
// strings strings; arrays Array; maps CborMap; floats CborFloat (so that 1.0 is never taken for
// the integer 1, as Python tells them apart).

import { toHex } from "./bytes.js";

export const DEFAULT_MAX_DEPTH = 16;

export class CborError extends Error {}

export class Tagged {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

export class CborFloat {
  constructor(value) {
    this.value = value;
  }
}

export function isInteger(value) {
  return typeof value === "number" || typeof value === "bigint";
}

// A map whose keys compare as Python's dict keys do here: 1 and "1" and h'01' are distinct.
export class CborMap {
  #entries = new Map();

  static keyId(key) {
    if (typeof key === "number" || typeof key === "bigint") return `i${key}`;
    if (typeof key === "string") return `t${key}`;
    if (key instanceof Uint8Array) return `b${toHex(key)}`;
    return null;
  }

  // False when the key is already there (a duplicate) or not of a key type.
  add(key, value) {
    const id = CborMap.keyId(key);
    if (id === null || this.#entries.has(id)) return false;
    this.#entries.set(id, [key, value]);
    return true;
  }

  has(key) {
    return this.#entries.has(CborMap.keyId(key));
  }

  get(key) {
    const entry = this.#entries.get(CborMap.keyId(key));
    return entry === undefined ? undefined : entry[1];
  }

  get size() {
    return this.#entries.size;
  }

  *keys() {
    for (const [key] of this.#entries.values()) yield key;
  }

  *entries() {
    yield* this.#entries.values();
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const ARGUMENT_SIZES = { 24: 1, 25: 2, 26: 4, 27: 8 };
const SIMPLE_VALUES = { 20: false, 21: true, 22: null };

function halfFloat(bits) {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

class Decoder {
  constructor(data, maxDepth) {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.offset = 0;
    this.maxDepth = maxDepth;
  }

  argument(info, start) {
    const size = ARGUMENT_SIZES[info];
    if (size === undefined) {
      if (info === 31) throw new CborError(`indefinite length at offset ${start} is not accepted`);
      throw new CborError(`reserved additional information ${info} at offset ${start}`);
    }
    const at = this.offset;
    if (at + size > this.data.length) throw new CborError(`truncated argument at offset ${start}`);
    this.offset += size;
    if (size === 1) return this.view.getUint8(at);
    if (size === 2) return this.view.getUint16(at);
    if (size === 4) return this.view.getUint32(at);
    const big = this.view.getBigUint64(at);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }

  float(info, start) {
    const sizes = { 25: 2, 26: 4, 27: 8 };
    const size = sizes[info];
    if (size === undefined) throw new CborError(`simple value with additional information ${info} at offset ${start}`);
    const at = start + 1;
    if (at + size > this.data.length) throw new CborError(`truncated float at offset ${start}`);
    this.offset = at + size;
    if (size === 2) return new CborFloat(halfFloat(this.view.getUint16(at)));
    return new CborFloat(size === 4 ? this.view.getFloat32(at) : this.view.getFloat64(at));
  }

  item(depth) {
    const start = this.offset;
    if (start >= this.data.length) throw new CborError(`unexpected end of data at offset ${start}`);
    const initial = this.data[start];
    this.offset = start + 1;
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7 && info >= 24) return this.float(info, start);
    const argument = info < 24 ? info : this.argument(info, start);
    const left = this.data.length - this.offset;
    switch (major) {
      case 0:
        return argument;
      case 1:
        if (typeof argument === "number" && argument < Number.MAX_SAFE_INTEGER) return -1 - argument;
        return -1n - BigInt(argument);
      case 2:
      case 3: {
        if (typeof argument === "bigint" || argument > left) {
          throw new CborError(`string of ${argument} bytes at offset ${start} runs past the end`);
        }
        const bytes = this.data.slice(this.offset, this.offset + argument);
        this.offset += argument;
        if (major === 2) return bytes;
        try {
          return UTF8.decode(bytes);
        } catch {
          throw new CborError(`text string at offset ${start} is not valid UTF-8`);
        }
      }
      case 7:
        if (info in SIMPLE_VALUES) return SIMPLE_VALUES[info];
        throw new CborError(`simple value ${info} at offset ${start} is not accepted`);
      default:
        break;
    }
    if (depth >= this.maxDepth) throw new CborError(`nesting deeper than ${this.maxDepth} at offset ${start}`);
    if (major === 4) {
      if (typeof argument === "bigint" || argument > left) {
        throw new CborError(`array of ${argument} items at offset ${start} runs past the end`);
      }
      const items = [];
      for (let i = 0; i < argument; i++) items.push(this.item(depth + 1));
      return items;
    }
    if (major === 5) {
      if (typeof argument === "bigint" || 2 * argument > left) {
        throw new CborError(`map of ${argument} pairs at offset ${start} runs past the end`);
      }
      const map = new CborMap();
      for (let i = 0; i < argument; i++) {
        const keyOffset = this.offset;
        const key = this.item(depth + 1);
        if (CborMap.keyId(key) === null) throw new CborError(`map key at offset ${keyOffset} is not an integer or string`);
        if (!map.add(key, this.item(depth + 1))) throw new CborError(`duplicate map key at offset ${keyOffset}`);
      }
      return map;
    }
    return new Tagged(argument, this.item(depth + 1)); // major 6
  }
}

// Exactly one data item filling all of data.
export function decode(data, maxDepth = DEFAULT_MAX_DEPTH) {
  const decoder = new Decoder(data, maxDepth);
  const value = decoder.item(0);
  if (decoder.offset !== data.length) {
    throw new CborError(`${data.length - decoder.offset} trailing bytes at offset ${decoder.offset}`);
  }
  return value;
}

// True if value holds no tag anywhere (what Python's cbor.is_plain accepts of decoded values).
export function isPlain(value) {
  const pending = [value];
  while (pending.length) {
    const item = pending.pop();
    if (item instanceof Tagged) return false;
    if (Array.isArray(item)) pending.push(...item);
    else if (item instanceof CborMap) for (const [, child] of item.entries()) pending.push(child);
  }
  return true;
}
