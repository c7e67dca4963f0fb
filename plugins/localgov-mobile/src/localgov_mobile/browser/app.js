"use strict";
// The page: enrol, download the bundle, take a request at the visit, see the outbox, sync.
// Every label is Arabic, then English. The logic is in tablet.js; this file only draws.

import { BrowserTablet } from "./tablet.js";
import { requiredDocuments } from "./forms.js";
import qrcodegen from "./qrcodegen.js";

const base = new URL("../..", document.baseURI).href.replace(/\/$/, "");
const $ = (id) => document.getElementById(id);
let tablet;

function say(id, text, ok = true) {
  const element = $(id);
  element.textContent = text;
  element.className = ok ? "ok" : "problem";
}

const SVG = "http://www.w3.org/2000/svg";
const QUIET = 4; // modules of light border all round, as the standard asks

// The receipt's QR code as an SVG drawn with DOM calls (no inline script or style: the CSP
// stays as it is), error correction level Q at least, as localgov.tokens.qr draws tokens.
function drawQr(text) {
  const code = qrcodegen.QrCode.encodeText(text, qrcodegen.QrCode.Ecc.QUARTILE);
  const side = code.size + 2 * QUIET;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${side} ${side}`);
  svg.setAttribute("width", String(side * 4));
  svg.setAttribute("height", String(side * 4));
  svg.setAttribute("shape-rendering", "crispEdges");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "رمز الإيصال / Receipt QR code");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", String(side));
  background.setAttribute("height", String(side));
  background.setAttribute("fill", "#fff");
  const dark = [];
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) if (code.getModule(x, y)) dark.push(`M${x + QUIET},${y + QUIET}h1v1h-1z`);
  }
  const modules = document.createElementNS(SVG, "path");
  modules.setAttribute("d", dark.join(""));
  modules.setAttribute("fill", "#000");
  svg.append(background, modules);
  return svg;
}

function feesText(fees) {
  if (!fees) return "الرسوم التقديرية غير متاحة في هذه الحزمة / no fee estimate in this bundle";
  const more = fees.complete ? "" : " (حد أدنى / at least)";
  return `الرسوم التقديرية / Estimated fees: EGP ${fees.total}${more}`;
}

async function refresh() {
  const device = await tablet.device();
  $("device").textContent = device ? `${device.deviceId} (${device.issuer})` : "غير مسجل / not enrolled";
  const bundle = await tablet.bundle().catch(() => null);
  $("bundle").textContent = bundle ? `${bundle.sequence} — ${new Date(bundle.validUntil * 1000).toISOString().slice(0, 10)}` : "—";
  const select = $("service");
  if (bundle && !select.options.length) {
    for (const service of bundle.forms.services) select.add(new Option(`${service.name.ar} / ${service.name.en}`, service.code));
    for (const point of bundle.servicePoints) $("point").add(new Option(point, point));
    drawForm();
  }
  const list = $("outbox");
  list.replaceChildren();
  for (const entry of await tablet.outbox()) {
    const item = document.createElement("li");
    item.dataset.status = entry.status;
    item.textContent = `${entry.number} ${entry.service}: ${entry.status}${entry.requestId ? ` → ${entry.requestId}` : ""}${entry.reason ? ` (${entry.reason})` : ""}`;
    list.append(item);
  }
}

async function drawForm() {
  const bundle = await tablet.bundle();
  const service = bundle.forms.services.find((s) => s.code === $("service").value);
  const fields = $("fields");
  fields.replaceChildren();
  for (const field of service.fields) {
    const label = document.createElement("label");
    label.textContent = `${field.label.ar} / ${field.label.en}${field.required ? " *" : ""}`;
    let input;
    if (field.choices.length) {
      input = document.createElement("select");
      input.add(new Option("—", ""));
      for (const choice of field.choices) input.add(new Option(`${choice.label.ar} / ${choice.label.en}`, choice.value));
    } else {
      input = document.createElement("input");
      if (field.type === "date") input.type = "date";
    }
    input.name = field.name;
    label.append(input);
    fields.append(label);
  }
  const documents = $("documents");
  documents.replaceChildren();
  for (const requirement of service.documents) {
    const label = document.createElement("label");
    label.textContent = `${requirement.name.ar} / ${requirement.name.en}`;
    const input = document.createElement("input");
    input.type = "file";
    input.accept = requirement.accepted_types.map((t) => (t === "pdf" ? "application/pdf" : `image/${t}`)).join(",");
    input.capture = "environment";
    input.dataset.type = requirement.type;
    label.append(input);
    documents.append(label);
  }
}

const MEDIA = { "application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png" };

async function take(event) {
  event.preventDefault();
  const form = {};
  for (const input of $("fields").querySelectorAll("[name]")) if (input.value) form[input.name] = input.value;
  const photos = [];
  for (const input of $("documents").querySelectorAll("input[type=file]")) {
    for (const file of input.files) {
      photos.push({ type: input.dataset.type, mediaType: MEDIA[file.type] ?? file.type, content: new Uint8Array(await file.arrayBuffer()) });
    }
  }
  const bundle = await tablet.bundle();
  const service = bundle.forms.services.find((s) => s.code === $("service").value);
  const missing = requiredDocuments(service, form).filter((t) => !photos.some((p) => p.type === t));
  try {
    const result = await tablet.take({
      service: service.code,
      applicant: { national_id: $("national-id").value, name: $("name").value, mobile: $("mobile").value },
      form,
      clerk: $("clerk").value,
      servicePoint: $("point").value,
      photos,
    });
    if (result.problems) {
      say("result", Object.entries(result.problems).map(([k, v]) => `${k}: ${v}`).join("; "), false);
      return;
    }
    const r = result.receipt;
    say("result", "");
    // The receipt number isolated left to right, so that the Arabic around it does not reorder it.
    const number = document.createElement("bdi");
    number.dir = "ltr";
    number.className = "number";
    number.textContent = r.number;
    $("result").append(
      "إيصال مؤقت / Provisional receipt ",
      number,
      ` — ${r.name.ar} / ${r.name.en}` + (missing.length ? ` — مستندات ناقصة / documents still missing: ${missing.join(", ")}` : ""),
    );
    $("receipt-fees").textContent = feesText(r.fees);
    $("receipt-qr").textContent = r.qrText;
    $("receipt-qr-image").replaceChildren(drawQr(r.qrText));
    $("receipt").hidden = false;
  } catch (error) {
    say("result", error.message, false);
  }
  await refresh();
}

async function main() {
  const root = new Uint8Array(await (await fetch("root.der")).arrayBuffer());
  tablet = await BrowserTablet.open(root);
  $("enrol").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await tablet.enrol(base, $("code").value, $("device-id").value);
      say("enrolled", "تم التسجيل / enrolled");
    } catch (error) {
      say("enrolled", error.message, false);
    }
    await refresh();
  });
  $("download").addEventListener("click", async () => {
    const device = await tablet.device();
    try {
      const unit = $("unit").value;
      const response = await fetch(`${base}/mobile/bundle/${encodeURIComponent(unit)}`);
      if (!response.ok) throw new Error(await response.text());
      await tablet.installBundle(new Uint8Array(await response.arrayBuffer()));
      say("downloaded", "تم / done");
    } catch (error) {
      say("downloaded", error.message, false);
    }
    void device;
    await refresh();
  });
  $("service").addEventListener("change", drawForm);
  $("visit").addEventListener("submit", take);
  $("sync").addEventListener("click", async () => {
    try {
      const report = await tablet.sync(base);
      say("synced", `${report.outcomes.length} sent, ${report.waiting} waiting`);
    } catch (error) {
      say("synced", `${error.message} — لم يتغير شيء / nothing changed`, false);
    }
    await refresh();
  });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
  await refresh();
  document.body.dataset.ready = "1";
}

window.localgovTablet = () => tablet; // for the tests and for a native shell driving the page
main();
