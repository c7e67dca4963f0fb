"use strict";
// Whether a verified permit is in the public permit log: the entry recomputed from the token
// (as localgov.permits.log_entry makes it), its leaf hash, the inclusion proof the server finds by
// that hash (a c2sp.org/tlog-proof file), checked here against a checkpoint signed by the log's
// key (c2sp.org/signed-note, Ed25519 in WebCrypto). The server is trusted for nothing: a proof
// that does not verify is reported as such, never as "in the log".

import { concatBytes, equalBytes, sha256, toHex } from "./bytes.js";

const PROOF_HEADER = "c2sp.org/tlog-proof@v1";
const ED25519 = 0x01;
const MAX_PROOF_HASHES = 64;

export class LogError extends Error {}

function fromBase64(text) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new LogError(`not base64: ${text.slice(0, 20)}`);
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

const encoder = new TextEncoder();

// A permit entry's bytes (localgov/permit/v1), from what the token says and the token itself.
export async function permitEntry(token, claims) {
  const issued = new Date(claims.issuedAt * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const lines = [
    "localgov/permit/v1",
    `issuer ${claims.issuer}`,
    `number ${claims.permitNumber}`,
    `kind ${claims.kind}`,
    `issued ${issued}`,
    `token ${toHex(await sha256(encoder.encode(token)))}`,
  ];
  return encoder.encode(lines.join("\n") + "\n");
}

export async function leafHash(entry) {
  return sha256(concatBytes([new Uint8Array([0]), entry]));
}

async function nodeHash(left, right) {
  return sha256(concatBytes([new Uint8Array([1]), left, right]));
}

// RFC 9162, 2.1.3.2: the root the proof leads to from the leaf at `index` of a tree of `size`.
export async function rootFromInclusionProof(leaf, index, size, proof) {
  if (index >= size) throw new LogError(`index ${index} is beyond the tree of ${size}`);
  let fn = index;
  let sn = size - 1;
  let root = leaf;
  for (const hash of proof) {
    if (sn === 0) throw new LogError("the proof is longer than the tree is deep");
    if (fn % 2 === 1 || fn === sn) {
      root = await nodeHash(hash, root);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      root = await nodeHash(root, hash);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new LogError("the proof is shorter than the tree is deep");
  return root;
}

// A vkey line "<name>+<key id hex>+base64(0x01 || Ed25519 public key)", as `localgov log keygen` writes it.
export async function parseLogKey(text) {
  // The base64 part may itself hold "+": the name and the id are the first two fields only.
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(text.trim());
  if (!match) throw new LogError("the log key is not a vkey line");
  const [, name, keyId, encoded] = match;
  const raw = fromBase64(encoded);
  if (raw.length !== 33 || raw[0] !== ED25519) throw new LogError("the log key is not an Ed25519 key");
  const computed = (await sha256(concatBytes([encoder.encode(name), new Uint8Array([0x0a]), raw]))).slice(0, 4);
  if (toHex(computed) !== keyId) throw new LogError("the log key's id does not match the key");
  const key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
  return { name, keyId: computed, key };
}

// The checkpoint a signed note carries, if the log's key signed it; a LogError otherwise.
async function verifiedCheckpoint(note, logKey) {
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new LogError("the checkpoint has no signature");
  const text = note.slice(0, split + 1);
  let signed = false;
  for (const line of note.slice(split + 2).split("\n")) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!match || match[1] !== logKey.name) continue;
    const blob = fromBase64(match[2]);
    if (blob.length !== 68 || !equalBytes(blob.slice(0, 4), logKey.keyId)) continue;
    signed = await crypto.subtle.verify({ name: "Ed25519" }, logKey.key, blob.slice(4), encoder.encode(text));
    if (!signed) throw new LogError("the checkpoint's signature by the log's key does not verify");
  }
  if (!signed) throw new LogError("the checkpoint is not signed by the log's key");
  const [origin, size, root] = text.split("\n");
  if (origin !== logKey.name) throw new LogError(`the checkpoint is of log ${origin}, not ${logKey.name}`);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size)) throw new LogError("the checkpoint's size is not a number");
  const rootHash = fromBase64(root);
  if (rootHash.length !== 32) throw new LogError("the checkpoint's root is not a SHA-256 hash");
  return { origin, size: Number(size), root: rootHash };
}

// Check a tlog-proof file for `leaf`: { index, size } when it proves the leaf is in the signed tree.
export async function checkProofFile(text, leaf, logKey) {
  const split = text.indexOf("\n\n");
  if (split < 0) throw new LogError("the proof file has no checkpoint");
  const [header, indexLine, ...hashLines] = text.slice(0, split).split("\n");
  const index = /^index (0|[1-9][0-9]{0,15})$/.exec(indexLine ?? "");
  if (header !== PROOF_HEADER || !index) throw new LogError(`the proof file does not start with ${PROOF_HEADER} and an index`);
  if (hashLines.length > MAX_PROOF_HASHES) throw new LogError("the proof has too many hashes");
  const proof = hashLines.map(fromBase64);
  if (proof.some((hash) => hash.length !== 32)) throw new LogError("a proof hash is not a SHA-256 hash");
  const checkpoint = await verifiedCheckpoint(text.slice(split + 2), logKey);
  const root = await rootFromInclusionProof(leaf, Number(index[1]), checkpoint.size, proof);
  if (!equalBytes(root, checkpoint.root)) throw new LogError("the proof does not lead to the signed root");
  return { index: Number(index[1]), size: checkpoint.size };
}

// { status, index?, size?, detail? }: status "included", "absent", "pending", "unreachable" or "invalid".
export async function lookUpPermit(token, claims, logKey) {
  const leaf = await leafHash(await permitEntry(token, claims));
  let response;
  try {
    response = await fetch(`/log/proof/by-hash?hash=${toHex(leaf)}`, { cache: "no-cache" });
  } catch {
    return { status: "unreachable" };
  }
  if (response.status === 404) {
    const type = response.headers.get("content-type")?.includes("json") ? (await response.json()).type : "";
    if (type === "urn:localgov:problem:not-in-log") return { status: "absent" };
    if (type === "urn:localgov:problem:log-pending") return { status: "pending" };
    return { status: "unreachable" };
  }
  if (!response.ok) return { status: "unreachable" };
  try {
    return { status: "included", ...(await checkProofFile(await response.text(), leaf, logKey)) };
  } catch (error) {
    if (!(error instanceof LogError)) throw error;
    return { status: "invalid", detail: error.message };
  }
}
