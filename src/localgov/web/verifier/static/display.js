"use strict";
// What the person holding the phone reads: a permit's fields in Arabic and English (as
// localgov.tokens.display lays them out), and how old the lists are.

import { FIGURE_BY_NAME, KIND_BY_NAME } from "./codes.js";

const EASTERN = "٠١٢٣٤٥٦٧٨٩";

export function toEasternDigits(text) {
  return String(text).replace(/[0-9]/g, (digit) => EASTERN[digit]);
}

// Dates are shown in Egypt's civil time, as the PDFs and the command line show them.
const EGYPT_DATE = new Intl.DateTimeFormat("en-CA", { timeZone: "Africa/Cairo", year: "numeric", month: "2-digit", day: "2-digit" });

export function egyptDate(seconds) {
  return EGYPT_DATE.format(new Date(seconds * 1000));
}

function same(text) {
  return { ar: toEasternDigits(text), en: String(text) };
}

function figure(name, value) {
  const spec = FIGURE_BY_NAME.get(name);
  const label = spec ? { ar: spec.ar, en: spec.en } : { ar: name, en: name };
  const shown = String(value);
  if (spec?.unit) return [label, { ar: `${toEasternDigits(shown)} ${spec.unit.ar}`, en: `${shown} ${spec.unit.en}` }];
  return [label, same(shown)];
}

// [label, value] pairs in reading order, each {ar, en}; Arabic values use Eastern Arabic digits.
export function permitFields(claims) {
  const kind = KIND_BY_NAME.get(claims.kind);
  const fields = [
    [{ ar: "نوع الترخيص", en: "Kind" }, kind ? { ar: kind.ar, en: kind.en } : same(claims.kind)],
    [{ ar: "رقم الترخيص", en: "Permit number" }, same(claims.permitNumber)],
    [{ ar: "جهة الإصدار", en: "Issuing unit" }, same(claims.issuer)],
    [{ ar: "اسم صاحب الترخيص", en: "Holder" }, same(claims.holderName)],
  ];
  if (claims.parcel) fields.push([{ ar: "القطعة", en: "Parcel" }, same(claims.parcel)]);
  if (claims.address) fields.push([{ ar: "العنوان", en: "Address" }, same(claims.address)]);
  for (const [name, value] of claims.figures) fields.push(figure(name, value));
  fields.push([{ ar: "تاريخ الإصدار", en: "Issued on" }, same(egyptDate(claims.issuedAt))]);
  if (claims.validFrom !== null) fields.push([{ ar: "يسري من", en: "Valid from" }, same(egyptDate(claims.validFrom))]);
  const expiry = claims.expiresAt !== null ? same(egyptDate(claims.expiresAt)) : { ar: "غير محدد", en: "none" };
  fields.push([{ ar: "تاريخ الانتهاء", en: "Expires on" }, expiry]);
  return fields;
}

const UNITS = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];
const RELATIVE = { ar: new Intl.RelativeTimeFormat("ar-EG", { numeric: "auto" }), en: new Intl.RelativeTimeFormat("en", { numeric: "auto" }) };

// "3 days ago" / "منذ ٣ أيام" for a moment `seconds` before now (both in seconds since 1970).
export function age(seconds, nowSeconds, language) {
  const elapsed = Math.max(0, nowSeconds - seconds);
  for (const [unit, size] of UNITS) {
    if (elapsed >= size) return RELATIVE[language].format(-Math.floor(elapsed / size), unit);
  }
  return RELATIVE[language].format(0, "minute");
}
