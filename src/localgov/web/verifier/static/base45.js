"use strict";
// Base45 (RFC 9285) decoding, refusing what the RFC does not allow, as localgov.tokens.base45 does.

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const VALUE_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE_OF[ALPHABET.charCodeAt(i)] = i;

export class Base45Error extends Error {}

function valueAt(text, position) {
  const code = text.charCodeAt(position);
  if (code > 127) throw new Base45Error(`non-ASCII character at position ${position}`);
  const value = VALUE_OF[code];
  if (value < 0) throw new Base45Error(`character ${JSON.stringify(text[position])} at position ${position} is not Base45`);
  return value;
}

export function b45decode(text) {
  // Every character is checked before the length, as the reference does.
  const values = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) values[i] = valueAt(text, i);
  const rest = values.length % 3;
  if (rest === 1) throw new Base45Error(`length ${values.length} leaves a dangling character`);
  const groups = (values.length - rest) / 3;
  const out = new Uint8Array(groups * 2 + (rest ? 1 : 0));
  for (let g = 0; g < groups; g++) {
    const i = 3 * g;
    const value = values[i] + 45 * values[i + 1] + 2025 * values[i + 2];
    if (value > 0xffff) throw new Base45Error(`group at position ${i} encodes a value above 65535`);
    out[2 * g] = value >> 8;
    out[2 * g + 1] = value & 0xff;
  }
  if (rest === 2) {
    const i = values.length - 2;
    const value = values[i] + 45 * values[i + 1];
    if (value > 0xff) throw new Base45Error(`final pair at position ${i} encodes ${value} > 255`);
    out[out.length - 1] = value;
  }
  return out;
}
