"use strict";
// The page: loads and checks the lists, reads a token (from ?t=, a picture, the camera or pasted
// text), verifies it here and shows the verdict and the permit in Arabic, then English.

import { age, permitFields, toEasternDigits } from "./display.js";
import { TOKEN_ERRORS, TokenError } from "./errors.js";
import { ListsError, loadLists } from "./lists.js";
import { lookUpPermit } from "./log.js";
import { readQrFromFile, startCamera } from "./scanner.js";
import { verifyToken } from "./token.js";

const $ = (id) => document.getElementById(id);
let lists = null;
let listsProblem = null;
let stopCamera = null;

function element(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

// kind: "valid", "refused" or "unknown" (nothing could be decided); code: the error code, if any.
function showVerdict(kind, ar, en, detail = "", code = kind) {
  const box = $("verdict");
  box.className = `verdict ${kind}`;
  box.dataset.code = code;
  $("verdict-ar").textContent = ar;
  $("verdict-en").textContent = en;
  $("verdict-detail").textContent = detail;
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}

// What the public log says of a valid permit, in the words of each outcome of lookUpPermit.
const LOG_WORDS = {
  checking: ["جارٍ البحث في السجل العام للتراخيص…", "Looking the permit up in the public permit log…", "pending"],
  included: ["مُدرج في السجل العام للتراخيص عند الموضع {index} (من {size})", "In the public permit log at index {index} (of {size})", "good"],
  absent: ["غير موجود في السجل العام للتراخيص: تحقق من جهة الإصدار", "Not in the public permit log: check with the issuing unit", "bad"],
  pending: ["سُجّل حديثًا ولم يدخل بعد في رأس موقّع للسجل: أعد المحاولة لاحقًا", "Logged recently, not yet in a signed head of the log: try again later", "pending"],
  unreachable: ["تعذر الوصول إلى السجل العام الآن (دون اتصال؟)", "The public log cannot be reached now (offline?)", "pending"],
  invalid: ["السجل العام قدّم إثباتًا لا يصح: أبلغ جهة الإصدار", "The public log gave a proof that does not verify: report it to the issuing unit", "bad"],
  no_key: ["مفتاح السجل العام على هذا الخادم غير صالح: لم يُفحص السجل", "This server's public log key is unreadable: the log was not checked", "bad"],
};

function showLog(outcome) {
  const line = $("log-status");
  if (!outcome) {
    line.hidden = true;
    return;
  }
  const [ar, en, tone] = LOG_WORDS[outcome.status];
  const fill = (text, digits) =>
    text.replace("{index}", digits(outcome.index ?? "")).replace("{size}", digits(outcome.size ?? ""));
  $("log-status-ar").textContent = fill(ar, toEasternDigits);
  $("log-status-en").textContent = fill(en, String);
  line.dataset.log = outcome.status;
  line.className = `log-status ${tone}`;
  line.title = outcome.detail ?? "";
  line.hidden = false;
}

function showPermit(claims) {
  const permit = $("permit");
  if (!claims) {
    permit.hidden = true;
    return;
  }
  for (const language of ["ar", "en"]) {
    const list = $(`fields-${language}`);
    list.replaceChildren();
    for (const [label, value] of permitFields(claims)) {
      list.append(element("dt", label[language]), element("dd", value[language]));
    }
  }
  permit.hidden = false;
}

// A QR code may hold the token itself or a link to this page with ?t=TOKEN.
function tokenOf(text) {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      return new URL(trimmed).searchParams.get("t") ?? trimmed;
    } catch {
      return trimmed;
    }
  }
  return trimmed;
}

async function verify(text) {
  showPermit(null);
  showLog(null);
  if (!lists) {
    const problem = listsProblem ?? new ListsError("قوائم التحقق لم تحمل بعد", "the verification lists are not loaded yet");
    showVerdict("unknown", `لا يمكن التحقق الآن: ${problem.ar}`, `Cannot verify now: ${problem.en}`, problem.detail);
    return false;
  }
  const token = tokenOf(text);
  let claims;
  try {
    ({ claims } = await verifyToken(token, lists.trust, lists.revocations));
    showVerdict("valid", "ترخيص صحيح وموقع من جهة مخولة", "Valid permit, signed by an authorised unit", "", "valid");
    showPermit(claims);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    const summary = TOKEN_ERRORS[error.code];
    showVerdict("refused", `مرفوض: ${summary.ar}`, `Refused: ${summary.en}`, error.detail, error.code);
    return true;
  }
  if (lists.log.key) {
    showLog({ status: "checking" });
    showLog(await lookUpPermit(token, claims, lists.log.key));
  } else if (lists.log.problem) {
    showLog({ status: "no_key", detail: lists.log.problem });
  }
  return true;
}

function listLine(language, name, list, file, nowSeconds) {
  const sequence = language === "ar" ? toEasternDigits(list.sequence) : list.sequence;
  const issued = age(list.issuedAt, nowSeconds, language);
  const fetched = age(file.fetchedAt / 1000, nowSeconds, language);
  const text =
    language === "ar"
      ? `${name} رقم ${sequence}: صدرت ${issued}، ونُزّلت ${fetched}${file.fromCache ? " (نسخة محفوظة، دون اتصال)" : ""}`
      : `${name} no. ${sequence}: issued ${issued}, downloaded ${fetched}${file.fromCache ? " (kept copy, offline)" : ""}`;
  const item = element("li", text);
  item.dataset.list = name;
  if (list.nextUpdate !== null && list.nextUpdate < nowSeconds) {
    item.append(element("span", language === "ar" ? " — موعد تحديثها قد فات" : " — past its next update", "stale"));
  }
  return item;
}

function showLists() {
  const nowSeconds = Date.now() / 1000;
  for (const language of ["ar", "en"]) {
    const target = $(`lists-${language}`);
    target.replaceChildren();
    if (!lists) {
      target.append(element("li", listsProblem[language], "stale"));
      continue;
    }
    const names = language === "ar" ? ["قائمة الثقة", "قائمة الإلغاء"] : ["Trust list", "Revocation list"];
    target.append(listLine(language, names[0], lists.trust, lists.trustFile, nowSeconds));
    if (lists.revocations) target.append(listLine(language, names[1], lists.revocations, lists.revocationFile, nowSeconds));
    else target.append(element("li", language === "ar" ? "لا توجد قائمة إلغاء: لا يُفحص الإلغاء" : "No revocation list: revocation is not checked", "stale"));
  }
}

async function onImage(event) {
  const [file] = event.target.files;
  event.target.value = "";
  if (!file) return;
  let text = null;
  try {
    text = await readQrFromFile(file);
  } catch {
    text = null;
  }
  if (text === null) {
    showPermit(null);
    showVerdict("unknown", "لم يُعثر على رمز استجابة سريعة في الصورة", "No QR code found in the picture", "", "no_qr_code");
    return;
  }
  await verify(text);
}

async function onCamera() {
  if (stopCamera) return;
  $("camera").hidden = false;
  try {
    stopCamera = await startCamera($("camera-video"), async (text) => {
      await verify(text);
      $("camera").hidden = true;
      stopCamera = null;
      return true;
    });
  } catch (error) {
    $("camera").hidden = true;
    stopCamera = null;
    showVerdict("unknown", "تعذر تشغيل الكاميرا: اختر صورة بدلًا منها", "The camera could not be started: choose a picture instead", error.message, "no_camera");
  }
}

function onStopCamera() {
  stopCamera?.();
  stopCamera = null;
  $("camera").hidden = true;
}

async function start() {
  $("image-input").addEventListener("change", onImage);
  $("camera-button").addEventListener("click", onCamera);
  $("camera-stop").addEventListener("click", onStopCamera);
  $("paste-form").addEventListener("submit", (event) => {
    event.preventDefault();
    verify($("paste-text").value);
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/verify/sw.js", { scope: "/verify" }).catch(() => {});
  }
  try {
    const published = document.body.dataset;
    lists = await loadLists(Date.now(), { logKeyPublished: "logKey" in published, deltasPublished: "revocationDeltas" in published });
  } catch (error) {
    if (!(error instanceof ListsError)) throw error;
    listsProblem = error;
  }
  showLists();
  document.body.dataset.lists = lists ? "ready" : "unavailable";
  const token = new URLSearchParams(location.search).get("t");
  if (token) await verify(token);
}

start();
