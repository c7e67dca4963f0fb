"use strict";
// The tablet's durable state in IndexedDB: the device (its non-extractable WebCrypto key and its
// certificate chain), the signed bundle, the outbox of signed submissions by sequence, and the
// photos by the SHA-256 of their content. Each write is one IndexedDB transaction: committed
// whole or not at all, and a submission is in the outbox before its receipt is shown.

const NAME = "localgov-mobile";
const VERSION = 1;

export function openStore() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("device");
      db.createObjectStore("meta");
      db.createObjectStore("outbox", { keyPath: "sequence" });
      db.createObjectStore("photos", { keyPath: "sha256" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error("the transaction was aborted"));
  });
}

function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export async function get(db, store, key) {
  return result(db.transaction(store).objectStore(store).get(key));
}

export async function put(db, store, value, key) {
  const transaction = db.transaction(store, "readwrite");
  transaction.objectStore(store).put(value, key);
  await done(transaction);
}

export async function all(db, store) {
  return result(db.transaction(store).objectStore(store).getAll());
}

// The submission and its photos in one transaction; `add` refuses a sequence already taken.
export async function queue(db, entry, photos) {
  const transaction = db.transaction(["outbox", "photos"], "readwrite");
  for (const photo of photos) transaction.objectStore("photos").put(photo);
  transaction.objectStore("outbox").add(entry);
  await done(transaction);
}

// The server's decisions: accepted and rejected are final, the others are sent again.
export async function record(db, outcomes, decidedAt) {
  const transaction = db.transaction("outbox", "readwrite");
  const outbox = transaction.objectStore("outbox");
  for (const outcome of outcomes) {
    const request = outbox.get(outcome.sequence);
    request.onsuccess = () => {
      const entry = request.result;
      if (!entry || entry.status === "accepted" || entry.status === "rejected") return;
      outbox.put({ ...entry, status: outcome.outcome, requestId: outcome.requestId, reason: outcome.reason, decidedAt });
    };
  }
  await done(transaction);
}
