"use strict";
// The browser client's check of a form, on the bundle's forms (key 14): the rules of
// localgov.requests.forms and of intake's applicant check, as far as a browser can follow them
// without localgov's own code. The server checks every submission again with that code: what
// this lets through and the server does not accept comes back "rejected", kept with its reason.

const EASTERN = "٠١٢٣٤٥٦٧٨٩";
const PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
const MAX_TEXT = { text: 500, parcel: 100, address: 300 };

export function westernDigits(text) {
  return text.replace(/[٠-٩۰-۹]/g, (c) => String(EASTERN.includes(c) ? EASTERN.indexOf(c) : PERSIAN.indexOf(c)));
}

class Refused extends Error {}

function squash(value) {
  return value.split(/\s+/).filter(Boolean).join(" ");
}

function text(value, field) {
  if (typeof value !== "string" || !value.trim()) throw new Refused("expected a non-empty text");
  const squashed = squash(value);
  const limit = field.max_length ?? MAX_TEXT[field.type] ?? 500;
  if ([...squashed].length > limit) throw new Refused(`longer than ${limit} characters`);
  return squashed;
}

function decimal(value) {
  if (typeof value === "number" && Number.isInteger(value)) value = String(value);
  if (typeof value !== "string") throw new Refused("expected a number written as text or a whole number");
  const written = westernDigits(value.trim());
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(written)) throw new Refused(`expected a number, got ${JSON.stringify(value).slice(0, 40)}`);
  return written.replace(/^\+/, "");
}

function canonical(written) {
  // Decimal.normalize() for whole numbers ("05", "5.0" -> "5"); others as written.
  const [whole, fraction = ""] = written.split(".");
  if (/^0*$/.test(fraction)) return String(BigInt(whole || "0"));
  return `${whole.replace(/^(-?)0+(?=\d)/, "$1") || "0"}.${fraction}`;
}

function number(value, field) {
  const written = decimal(value);
  const amount = Number(written);
  if (field.minimum !== null && amount < Number(field.minimum)) throw new Refused(`${canonical(written)} is below the minimum ${field.minimum}`);
  if (field.maximum !== null && amount > Number(field.maximum)) throw new Refused(`${canonical(written)} is above the maximum ${field.maximum}`);
  return canonical(written);
}

function money(value, field) {
  const written = decimal(value);
  const [, fraction = ""] = written.split(".");
  if (written.startsWith("-") || fraction.replace(/0+$/, "").length > 2) {
    throw new Refused(`expected an amount in pounds with at most two decimals, got ${JSON.stringify(value).slice(0, 40)}`);
  }
  number(value, field);
  return Number(written).toFixed(2);
}

function area(value, field) {
  if (Number(decimal(value)) <= 0) throw new Refused("an area must be above 0 m²");
  return number(value, field);
}

function date(value) {
  const written = typeof value === "string" ? westernDigits(value.trim()) : "";
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(written);
  const day = match && new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
  if (!day || day.getUTCDate() !== +match[3] || day.getUTCMonth() !== +match[2] - 1) {
    throw new Refused(`expected a date (YYYY-MM-DD), got ${JSON.stringify(value).slice(0, 40)}`);
  }
  return written;
}

function choice(value, field) {
  const allowed = field.choices.map((c) => c.value);
  if (!allowed.includes(value)) throw new Refused(`expected one of ${allowed.join(", ")}, got ${JSON.stringify(value).slice(0, 40)}`);
  return value;
}

function multiChoice(value, field) {
  if (!Array.isArray(value) || value.length > field.choices.length) throw new Refused("expected a list of choices");
  const chosen = value.map((item) => choice(item, field));
  if (new Set(chosen).size !== chosen.length) throw new Refused("a choice is repeated");
  return chosen;
}

export function nationalId(value) {
  const digits = typeof value === "string" ? westernDigits(value).replace(/[\s-]/g, "") : "";
  if (!/^[23]\d{13}$/.test(digits)) throw new Refused("a national ID number is 14 digits, starting with 2 or 3");
  const year = (digits[0] === "2" ? 1900 : 2000) + Number(digits.slice(1, 3));
  const birth = new Date(Date.UTC(year, Number(digits.slice(3, 5)) - 1, Number(digits.slice(5, 7))));
  if (birth.getUTCMonth() !== Number(digits.slice(3, 5)) - 1 || birth.getUTCDate() !== Number(digits.slice(5, 7))) {
    throw new Refused("the national ID's birth date is not a date");
  }
  return digits;
}

export function mobile(value) {
  let digits = typeof value === "string" ? westernDigits(value).replace(/[\s().-]/g, "") : "";
  digits = digits.replace(/^(\+20|0020|20)(?=1\d{9}$)/, "0");
  if (!/^01[0125]\d{8}$/.test(digits)) throw new Refused("expected an Egyptian mobile number (010, 011, 012 or 015 and 8 digits)");
  return `+20${digits.slice(1)}`; // E.164, as localgov.phone.normalise_mobile writes it
}

const PARSERS = {
  text,
  number,
  money,
  date,
  choice,
  multi_choice: multiChoice,
  national_id: nationalId,
  mobile,
  area,
  parcel: text,
  address: text,
};

// {form, problems}: the normalised form, and every refused field with its reason.
export function validateForm(service, data) {
  const problems = {};
  const form = {};
  const known = new Set(service.fields.map((f) => f.name));
  for (const name of Object.keys(data)) if (!known.has(name)) problems[name.slice(0, 60)] = `not a field of ${service.code}`;
  for (const field of service.fields) {
    const value = data[field.name];
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) {
      if (field.required) problems[field.name] = "required";
      continue;
    }
    try {
      form[field.name] = PARSERS[field.type](value, field);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      problems[field.name] = error.message;
    }
  }
  return { form, problems };
}

export function validateApplicant(applicant) {
  const problems = {};
  const checked = {};
  for (const [key, parse] of [["national_id", nationalId], ["mobile", mobile]]) {
    try {
      checked[key] = parse(applicant[key]);
    } catch (error) {
      problems[`applicant.${key}`] = error.message;
    }
  }
  const name = typeof applicant.name === "string" ? squash(applicant.name) : "";
  if (!name || name.length > 200) problems["applicant.name"] = "expected the applicant's full name";
  checked.name = name;
  return { applicant: checked, problems };
}

// The documents the form must come with, and a photo's problems against its requirement.
export function requiredDocuments(service, form) {
  return service.documents
    .filter((d) => (d.when ? [].concat(form[d.when.field] ?? []).some((v) => d.when.equals.includes(v)) : d.mandatory))
    .map((d) => d.type);
}

export function checkPhoto(service, photo) {
  const requirement = service.documents.find((d) => d.type === photo.type);
  if (!requirement) return `${service.code} does not ask for this document`;
  if (!requirement.accepted_types.includes(photo.mediaType)) return `${photo.mediaType} is not accepted (accepted: ${requirement.accepted_types.join(", ")})`;
  if (photo.content.length > Number(requirement.max_size_mb) * 1024 * 1024) return `over the ${requirement.max_size_mb} MB limit`;
  return null;
}
