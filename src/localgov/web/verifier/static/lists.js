"use strict";
// Getting the root certificate and the two signed lists, and checking them here: the lists'
// signatures against the root, the root against the one this browser pinned on its first visit
// (so a server, or anyone between it and the phone, cannot swap in a root of its own later).
// Offline, the service worker answers with the copies it kept and says when it downloaded them.

import { toHex, sha256 } from "./bytes.js";
import { LogError, parseLogKey } from "./log.js";
import { openRevocationList } from "./revocation.js";
import { withDeltas } from "./revocation-deltas.js";
import { openTrustList } from "./trust-list.js";
import { parseCertificate, pemToDer } from "./x509.js";

const BASE = "/verify/";
const PIN_KEY = "localgov.verify.root-sha256";
// Headers the service worker adds (sw.js): when it downloaded a file, and that it answered offline.
const FETCHED_AT = "x-localgov-fetched-at";
const FROM_CACHE = "x-localgov-from-cache";

export class ListsError extends Error {
  constructor(ar, en, detail = "") {
    super(`${en}${detail ? `: ${detail}` : ""}`);
    this.ar = ar;
    this.en = en;
    this.detail = detail;
  }
}

async function fetchFile(name, optional = false) {
  let response;
  try {
    response = await fetch(BASE + name, { cache: "no-cache" });
  } catch {
    throw new ListsError("تعذر تحميل قوائم التحقق ولا توجد نسخة محفوظة على هذا الجهاز", "the verification lists cannot be downloaded and none are kept on this device", name);
  }
  if (response.status === 404 && optional) return null;
  if (!response.ok) throw new ListsError("الخادم لا يقدم قوائم التحقق", "the server does not provide the verification lists", `${name}: HTTP ${response.status}`);
  const fetchedAt = Number(response.headers.get(FETCHED_AT)) || Date.now();
  return { bytes: new Uint8Array(await response.arrayBuffer()), fetchedAt, fromCache: response.headers.get(FROM_CACHE) === "1" };
}

async function pinnedRoot() {
  const pem = await fetchFile("root.pem");
  const der = pemToDer(new TextDecoder().decode(pem.bytes));
  const fingerprint = toHex(await sha256(der));
  const pinned = localStorage.getItem(PIN_KEY);
  if (pinned === null) localStorage.setItem(PIN_KEY, fingerprint);
  else if (pinned !== fingerprint) {
    throw new ListsError("تغيرت شهادة الجذر الوطنية منذ أول زيارة: لن يتم التحقق", "the national root certificate changed since the first visit: nothing is verified", `pinned ${pinned.slice(0, 16)}…, served ${fingerprint.slice(0, 16)}…`);
  }
  return { certificate: await parseCertificate(der), fingerprint };
}

// The permit log's key, if this server publishes one: { key } or { key: null, problem }. A key that
// cannot be read stops the log check (the page says why), never the permit's own verification.
async function logKey(published) {
  if (!published) return { key: null, problem: null };
  const file = await fetchFile("log.pub", true).catch(() => null);
  if (!file) return { key: null, problem: "the server names a log key it does not serve" };
  try {
    return { key: await parseLogKey(new TextDecoder().decode(file.bytes)), problem: null };
  } catch (error) {
    if (!(error instanceof LogError)) throw error;
    return { key: null, problem: error.message };
  }
}

// { root, trust, revocations, trustFile, revocationFile, log: { key, problem } } or a thrown ListsError.
export async function loadLists(nowMs = Date.now(), { logKeyPublished = false, deltasPublished = false } = {}) {
  const root = await pinnedRoot();
  const trustFile = await fetchFile("trust-list.cose");
  const revocationFile = await fetchFile("revocations.cose", true);
  const at = nowMs / 1000;
  let trust;
  let revocations = null;
  try {
    trust = await openTrustList(trustFile.bytes, root.certificate, at);
    if (revocationFile) {
      const full = await openRevocationList(revocationFile.bytes, root.certificate, at);
      revocations = (await withDeltas(full, root.certificate, at, deltasPublished)).list;
    }
  } catch (error) {
    throw new ListsError("قوائم التحقق غير موقعة من الجذر الوطني أو تالفة", "the verification lists are not signed under the national root, or damaged", error.message);
  }
  return { root, trust, revocations, trustFile, revocationFile, log: await logKey(logKeyPublished) };
}
