"use strict";
// A minimal DER reader: tag-length-value items with definite, minimal lengths, read only inside
// the bytes they are given. Enough to take an X.509 certificate apart (x509.js).

export class DerError extends Error {}

export const TAG = Object.freeze({
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
});

// One item at offset, inside data[offset:end]: { tag, start, body, end } with body the content.
export function readItem(data, offset, end = data.length) {
  if (offset + 2 > end) throw new DerError(`truncated item at offset ${offset}`);
  const tag = data[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tag at offset ${offset}`);
  let length = data[offset + 1];
  let bodyStart = offset + 2;
  if (length & 0x80) {
    const size = length & 0x7f;
    if (size === 0 || size > 4) throw new DerError(`unsupported length form at offset ${offset}`);
    if (bodyStart + size > end) throw new DerError(`truncated length at offset ${offset}`);
    length = 0;
    for (let i = 0; i < size; i++) length = length * 256 + data[bodyStart + i];
    if (data[bodyStart] === 0 || length < 0x80) throw new DerError(`length at offset ${offset} is not minimal`);
    bodyStart += size;
  }
  if (bodyStart + length > end) throw new DerError(`item at offset ${offset} runs past its container`);
  return { tag, start: offset, bodyStart, body: data.subarray(bodyStart, bodyStart + length), end: bodyStart + length };
}

// The items filling the body of a constructed item, exactly.
export function children(data, item) {
  const items = [];
  let offset = item.bodyStart;
  while (offset < item.end) {
    const child = readItem(data, offset, item.end);
    items.push(child);
    offset = child.end;
  }
  return items;
}

export function expect(item, tag, what) {
  if (item === undefined || item.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}`);
  return item;
}

// The whole of data as one item of the given tag.
export function readOnly(data, tag, what) {
  const item = expect(readItem(data, 0), tag, what);
  if (item.end !== data.length) throw new DerError(`${what}: trailing bytes`);
  return item;
}

// Dotted decimal; arcs are BigInt-sized (localgov's arc is a 128-bit UUID, ITU-T X.667).
export function oidText(body) {
  if (!body.length || body[body.length - 1] & 0x80) throw new DerError("malformed object identifier");
  const arcs = [];
  let value = 0n;
  for (let i = 0; i < body.length; i++) {
    if (value === 0n && body[i] === 0x80) throw new DerError("object identifier arc is not minimal");
    value = (value << 7n) | BigInt(body[i] & 0x7f);
    if (!(body[i] & 0x80)) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs[0] < 80n ? arcs[0] / 40n : 2n;
  arcs.splice(0, 1, first, arcs[0] - first * 40n);
  return arcs.join(".");
}

const LATIN1 = new TextDecoder("latin1");
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function stringValue(item) {
  switch (item.tag) {
    case TAG.UTF8_STRING:
      return STRICT_UTF8.decode(item.body);
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.TELETEX_STRING:
      return LATIN1.decode(item.body);
    case TAG.BMP_STRING: {
      let text = "";
      for (let i = 0; i + 1 < item.body.length; i += 2) text += String.fromCharCode((item.body[i] << 8) | item.body[i + 1]);
      return text;
    }
    default:
      return null;
  }
}

// UTCTime (YYMMDDHHMMSSZ, 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSSZ), as seconds since 1970.
export function timeValue(item) {
  const text = LATIN1.decode(item.body);
  const pattern = item.tag === TAG.UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/ : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
  const match = pattern.exec(text);
  if (!match || (item.tag !== TAG.UTC_TIME && item.tag !== TAG.GENERALIZED_TIME)) {
    throw new DerError(`time ${JSON.stringify(text)} is not UTCTime or GeneralizedTime in UTC`);
  }
  let year = Number(match[1]);
  if (item.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const [month, day, hour, minute, second] = match.slice(2).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  if (back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new DerError(`time ${JSON.stringify(text)} is not a valid date`);
  }
  return ms / 1000;
}
