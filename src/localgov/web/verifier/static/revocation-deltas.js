"use strict";
// Bringing the revocation list up to date with deltas instead of the whole list again.
// The page keeps on this device the signed deltas it has applied (localStorage, as hex), applies
// them again to the full list at each visit, each one verified again against the root, then asks
// the server for the deltas after the list it holds (/verify/revocations/since/N, a CBOR array
// of signed files). Offline, or where the server publishes none, it keeps what it has.

import { toHex } from "./bytes.js";
import { CborError, decode } from "./cbor.js";
import { openRevocationUpdate } from "./revocation.js";
import { SignedFileError } from "./signed-file.js";

const KEPT = "localgov.verify.revocation-deltas";

function fromHex(text) {
  if (!/^(?:[0-9a-f]{2})*$/.test(text)) throw new SignedFileError("a kept revocation delta is not hex");
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function keptDeltas() {
  try {
    const kept = JSON.parse(localStorage.getItem(KEPT) ?? "[]");
    return Array.isArray(kept) ? kept.filter((item) => typeof item === "string").map(fromHex) : [];
  } catch {
    return []; // unreadable: start again from the full list
  }
}

// Apply each delta that starts where the list ends; pass over those the list already holds.
async function applyAll(list, files, root, at, applied) {
  for (const file of files) {
    const update = await openRevocationUpdate(file, root, at);
    if (update.base !== null && update.sequence <= list.sequence) continue;
    list = list.apply(update);
    applied.push(file);
  }
  return list;
}

async function newerDeltas(sequence) {
  let response;
  try {
    response = await fetch(`/verify/revocations/since/${sequence}`, { cache: "no-store" });
  } catch {
    return []; // offline: the list as it stands
  }
  if (!response.ok) return []; // none published, or none lead from this list
  const files = decode(new Uint8Array(await response.arrayBuffer()));
  if (!Array.isArray(files) || !files.every((file) => file instanceof Uint8Array)) {
    throw new SignedFileError("revocation deltas: not an array of signed files");
  }
  return files;
}

// { list, deltas }: the full list with every delta this device holds or, where the server
// publishes deltas (`ask`), the server has since.
// A kept delta that no longer verifies is dropped; a delta from the server that does not verify
// or does not follow the list throws (SignedFileError), as a damaged full list does.
export async function withDeltas(list, root, at, ask) {
  const applied = [];
  for (const file of keptDeltas()) {
    try {
      list = await applyAll(list, [file], root, at, applied);
    } catch (error) {
      if (!(error instanceof SignedFileError || error instanceof CborError)) throw error;
    }
  }
  if (ask) list = await applyAll(list, await newerDeltas(list.sequence), root, at, applied);
  localStorage.setItem(KEPT, JSON.stringify(applied.map(toHex)));
  return { list, deltas: applied.length };
}
