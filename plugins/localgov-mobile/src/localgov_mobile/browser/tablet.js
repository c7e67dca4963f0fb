"use strict";
// The reference browser client's tablet: the same formats as localgov_mobile.Tablet
// (docs/channels.md), with a WebCrypto key that cannot be exported and an IndexedDB outbox.

import { decode, CborMap } from "../../verify/static/cbor.js";
import { parseSign1, signedBytes, verifyEcdsa } from "../../verify/static/cose.js";
import { EKU_PERMIT_SIGNING, LOCALGOV_ARC, isIssuedBy, parseCertificate, publicKeyOf } from "../../verify/static/x509.js";
import { sha256, toHex } from "../../verify/static/bytes.js";
import { b45encode, encode, Tag } from "./cbor-encode.js";
import { carriesFees, estimate } from "./fees.js";
import { checkPhoto, validateApplicant, validateForm } from "./forms.js";
import { all, get, openStore, put, queue, record } from "./store.js";

export const EKU_DEVICE_SIGNING = `${LOCALGOV_ARC}.4`;
const BUNDLE_TYPE = "localgov-mobile-bundle";
const SUBMISSION_TYPE = "localgov-mobile-submission";
const X5CHAIN = 33;
const MAX_SYNC_BYTES = 16 * 1024 * 1024;

export class MobileError extends Error {}

function seconds(date = new Date()) {
  return Math.floor(date.getTime() / 1000);
}

function hex(bytes) {
  return toHex(bytes);
}

async function signSign1(privateKey, kid, payload) {
  const protectedBytes = encode(new Map([[1, -7], [4, kid]]));
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, signedBytes(protectedBytes, payload)),
  );
  return encode(new Tag(18, [protectedBytes, new Map(), payload, signature]));
}

// The bundle's payload, verified: signed by a document signer of its unit chaining to root.
export async function openBundle(bytes, root, at = seconds()) {
  const message = parseSign1(bytes);
  const chain = message.protected.get(X5CHAIN);
  if (!Array.isArray(chain) || !chain.length || !chain.every((c) => c instanceof Uint8Array)) {
    throw new MobileError("bundle: x5chain must be the signer's certificate and its CA's");
  }
  const certificates = await Promise.all(chain.map(parseCertificate));
  let current = certificates[0];
  for (const issuer of [...certificates.slice(1), root]) {
    if (!(await isIssuedBy(current, issuer))) throw new MobileError("bundle: the signer does not chain to the root");
    current = issuer;
  }
  for (const certificate of [...certificates, root]) {
    if (!(certificate.notBefore <= at && at <= certificate.notAfter)) throw new MobileError("bundle: a certificate of its chain is not valid now");
  }
  const signer = certificates[0];
  if (!signer.extendedKeyUsage?.has(EKU_PERMIT_SIGNING)) throw new MobileError("bundle: the signer is not a unit's document signer");
  await verifyEcdsa(message.alg, signer.curve, await publicKeyOf(signer), message.toBeSigned(), message.signature);
  const payload = decode(message.payload);
  if (!(payload instanceof CborMap) || payload.get(1) !== BUNDLE_TYPE || payload.get(2) !== 1) {
    throw new MobileError("not a localgov-mobile-bundle of format 1");
  }
  if (payload.get(13) !== signer.unitCode) throw new MobileError(`bundle for ${payload.get(13)} signed by unit ${signer.unitCode}`);
  return {
    sequence: payload.get(3),
    validUntil: payload.get(5),
    unit: payload.get(7),
    channel: payload.get(8),
    servicePoints: payload.get(9),
    digest: await sha256(new TextEncoder().encode(payload.get(10))),
    issuer: payload.get(13),
    forms: JSON.parse(payload.get(14)),
  };
}

export class BrowserTablet {
  constructor(db, root) {
    this.db = db;
    this.root = root;
  }

  // root: the national root certificate (DER), pinned at the first visit.
  static async open(rootDer) {
    const db = await openStore();
    let pinned = await get(db, "meta", "root");
    if (!pinned) {
      pinned = rootDer;
      await put(db, "meta", pinned, "root");
    }
    return new BrowserTablet(db, await parseCertificate(new Uint8Array(pinned)));
  }

  async device() {
    return get(this.db, "device", "device");
  }

  // A key made here (the private half cannot leave the browser), certified by the unit against
  // the one-time code its clerk was given.
  async enrol(base, code, deviceId) {
    if (await this.device()) throw new MobileError("this tablet is already enrolled");
    const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
    const body = encode(new Map([[1, "localgov-mobile-enrol"], [2, code], [3, deviceId], [4, spki]]));
    const response = await fetch(`${base}/mobile/enrol`, { method: "POST", body, headers: { "Content-Type": "application/cbor" } });
    if (!response.ok) throw new MobileError(`enrolment refused: ${await response.text()}`);
    const answer = decode(new Uint8Array(await response.arrayBuffer()));
    const chain = answer.get(2);
    const certificate = await parseCertificate(chain[0]);
    if (!certificate.extendedKeyUsage?.has(EKU_DEVICE_SIGNING)) throw new MobileError("the unit returned no device certificate");
    if (hex(certificate.spki) !== hex(spki)) throw new MobileError("the certificate certifies another key");
    const device = { deviceId, issuer: certificate.unitCode, privateKey: keys.privateKey, chain, kid: certificate.kid };
    await put(this.db, "device", device, "device");
    return device;
  }

  async installBundle(bytes) {
    const bundle = await openBundle(bytes, this.root);
    const device = await this.device();
    if (device && bundle.issuer !== device.issuer) throw new MobileError(`bundle for ${bundle.issuer}, this tablet is ${device.issuer}'s`);
    const held = await this.bundle();
    if (held && bundle.sequence < held.sequence) throw new MobileError(`bundle ${bundle.sequence} is older than bundle ${held.sequence}`);
    await put(this.db, "meta", bytes, "bundle");
    return bundle;
  }

  async bundle() {
    const bytes = await get(this.db, "meta", "bundle");
    return bytes ? openBundle(bytes, this.root) : null;
  }

  // Validate, sign and queue one visit's request; returns the provisional receipt or the problems.
  async take({ service, applicant, form, clerk, servicePoint, photos = [] }) {
    const device = await this.device();
    const bundle = await this.bundle();
    if (!device || !bundle) throw new MobileError("enrol the tablet and download the bundle first");
    const now = seconds();
    if (now > bundle.validUntil) throw new MobileError("the bundle has expired: sync to download a new one");
    const definition = bundle.forms.services.find((s) => s.code === service);
    if (!definition) throw new MobileError(`the mobile district does not take ${service}`);
    if (!bundle.servicePoints.includes(servicePoint)) throw new MobileError(`${servicePoint} is not one of the unit's mobile units`);
    const checkedApplicant = validateApplicant(applicant);
    const checkedForm = validateForm(definition, form);
    const problems = { ...checkedApplicant.problems, ...checkedForm.problems };
    photos.forEach((photo, index) => {
      const problem = checkPhoto(definition, photo);
      if (problem) problems[`document ${index + 1} (${photo.type})`] = problem;
    });
    if (Object.keys(problems).length) return { problems };
    const hashed = await Promise.all(photos.map(async (p) => ({ ...p, sha256: await sha256(p.content) })));
    const size = hashed.reduce((n, p) => n + p.content.length, 0);
    if (size > MAX_SYNC_BYTES - 64 * 1024) throw new MobileError("the photos are more than one sync carries: take them smaller");
    const taken = await all(this.db, "outbox");
    const sequence = taken.reduce((n, e) => Math.max(n, e.sequence), 0) + 1;
    const number = `${device.deviceId}-${String(sequence).padStart(6, "0")}`;
    const random = hex(crypto.getRandomValues(new Uint8Array(8)));
    const key = `${device.deviceId}:${sequence}:${random}`;
    const a = checkedApplicant.applicant;
    const payload = encode(
      new Map([
        [1, SUBMISSION_TYPE], [2, 1], [3, device.deviceId], [4, sequence], [5, key], [6, bundle.sequence],
        [7, bundle.digest], [8, now], [9, service], [10, bundle.unit], [11, servicePoint], [12, clerk],
        [13, [a.national_id, a.name, a.mobile]],
        [14, new Map(Object.entries(checkedForm.form))],
        [15, hashed.map((p) => [p.type, p.mediaType, p.sha256, p.content])],
        [16, number],
      ]),
    );
    const envelope = await signSign1(device.privateKey, device.kid, payload);
    const entry = { sequence, key, number, service, takenAt: now, envelope, status: "pending", requestId: null, reason: null };
    // A sequence taken meanwhile (another window) makes `add` fail: nothing is queued twice.
    await queue(this.db, entry, hashed.map((p) => ({ sha256: hex(p.sha256), mediaType: p.mediaType, content: p.content })));
    // The fees as localgov.fees.estimate gives them on the tablet's clock's day (UTC, as the
    // Python tablet's), from the bundle's fee rules; a bundle without them gives no estimate.
    const fees = carriesFees(bundle.forms)
      ? estimate(definition, bundle.forms.fee_rules, checkedForm.form, new Date(now * 1000).toISOString().slice(0, 10))
      : null;
    const claims = new Map([[1, "localgov-mobile-receipt"], [2, device.deviceId], [3, sequence], [4, number], [5, service], [6, bundle.unit], [7, now]]);
    if (fees) claims.set(8, fees.total);
    const receipt = await signSign1(device.privateKey, device.kid, encode(claims));
    // The QR text as localgov_mobile.read_receipt reads it (the page draws it as a QR code).
    return {
      receipt: { number, sequence, service, name: definition.name, takenAt: now, fees, qrText: `LGM1:${b45encode(receipt)}` },
    };
  }

  async outbox() {
    return (await all(this.db, "outbox")).sort((a, b) => a.sequence - b.sequence);
  }

  async sync(base) {
    const device = await this.device();
    const waiting = (await this.outbox()).filter((e) => !["accepted", "rejected"].includes(e.status));
    const envelopes = [];
    let size = 0;
    for (const entry of waiting.slice(0, 500)) {
      if (envelopes.length && size + entry.envelope.length > MAX_SYNC_BYTES) break;
      envelopes.push(entry.envelope);
      size += entry.envelope.length;
    }
    const now = seconds();
    // The manifest: one signature over the SHA-256 of every submission sent, so the server
    // checks one signature instead of one a submission (localgov_mobile.manifest).
    const digests = await Promise.all(envelopes.map((e) => sha256(e)));
    const manifest = await signSign1(
      device.privateKey,
      device.kid,
      encode(new Map([[1, "localgov-mobile-manifest"], [2, 1], [3, device.deviceId], [4, now], [5, digests]])),
    );
    const body = encode(new Map([[1, "localgov-mobile-sync"], [2, 1], [3, device.chain], [4, now], [5, envelopes], [6, manifest]]));
    const response = await fetch(`${base}/mobile/sync`, { method: "POST", body, headers: { "Content-Type": "application/cbor" } });
    if (!response.ok) throw new MobileError(`sync refused: ${response.status} ${await response.text()}`);
    const answer = decode(new Uint8Array(await response.arrayBuffer()));
    if (!(answer instanceof CborMap) || answer.get(1) !== "localgov-mobile-sync-answer") throw new MobileError("not a sync answer");
    const outcomes = answer.get(4).map((o) => ({
      sequence: o.get(1),
      outcome: o.get(2),
      requestId: o.get(3) ?? null,
      reason: o.get(4) ?? null,
      repeat: o.get(5),
    }));
    await record(this.db, outcomes, seconds());
    return { outcomes, clockSkew: answer.get(6), waiting: (await this.outbox()).filter((e) => !["accepted", "rejected"].includes(e.status)).length };
  }
}
