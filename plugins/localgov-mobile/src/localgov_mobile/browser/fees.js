"use strict";
// The browser client's fee estimate, on the fee rules the bundle carries (key 14, "fee_rules",
// and each service's "fees"): localgov.fees.estimate, which the Python tablet runs, ported rule
// for rule, in exact decimals (BigInt), rounded to the piastre half up as a cashier rounds.
// A test runs it under Node against localgov's own estimate on generated forms and rules.
// What it shows is an estimate: the server assesses the fees with localgov's own code.

import { westernDigits } from "./forms.js";

class FeeError extends Error {}

// A decimal number: coefficient × 10^exponent, as Python's Decimal keeps it (the exponent counts:
// "0E+20" is refused as a basis as Python refuses it).
class Decimal {
  constructor(coefficient, exponent = 0) {
    this.coefficient = coefficient;
    this.exponent = exponent;
  }

  static of(text) {
    const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!match || !(match[2] || match[3])) return null;
    const [, sign, whole, fraction = "", power = "0"] = match;
    const coefficient = BigInt(`${whole}${fraction}` || "0");
    return new Decimal(sign === "-" ? -coefficient : coefficient, Number(power) - fraction.length);
  }

  static aligned(a, b) {
    const exponent = Math.min(a.exponent, b.exponent);
    const scale = (d) => d.coefficient * 10n ** BigInt(d.exponent - exponent);
    return [scale(a), scale(b), exponent];
  }

  plus(other) {
    const [a, b, exponent] = Decimal.aligned(this, other);
    return new Decimal(a + b, exponent);
  }

  minus(other) {
    const [a, b, exponent] = Decimal.aligned(this, other);
    return new Decimal(a - b, exponent);
  }

  times(other) {
    return new Decimal(this.coefficient * other.coefficient, this.exponent + other.exponent);
  }

  percent() {
    return new Decimal(this.coefficient, this.exponent - 2); // divided by 100, exactly
  }

  compare(other) {
    const [a, b] = Decimal.aligned(this, other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // The position of the most significant digit (Python's Decimal.adjusted()).
  adjusted() {
    const digits = (this.coefficient < 0n ? -this.coefficient : this.coefficient).toString().length;
    return this.coefficient === 0n ? this.exponent : digits - 1 + this.exponent;
  }

  // Rounded to the piastre (0.01), half away from zero: Python's ROUND_HALF_UP.
  piastres() {
    if (this.exponent >= -2) return new Decimal(this.coefficient * 10n ** BigInt(this.exponent + 2), -2);
    const magnitude = this.coefficient < 0n ? -this.coefficient : this.coefficient;
    if (-2 - this.exponent > magnitude.toString().length) return new Decimal(0n, -2); // under half a piastre
    const divisor = 10n ** BigInt(-2 - this.exponent);
    let rounded = magnitude / divisor;
    if ((magnitude % divisor) * 2n >= divisor) rounded += 1n;
    return new Decimal(this.coefficient < 0n ? -rounded : rounded, -2);
  }

  // As Python prints an amount rounded to the piastre: "12.50", "0.00".
  toString() {
    const value = this.piastres().coefficient;
    const digits = (value < 0n ? -value : value).toString().padStart(3, "0");
    return `${value < 0n ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
  }
}

const ZERO = new Decimal(0n, -2);
const number = (text) => (text === null || text === undefined ? null : Decimal.of(text));
const max = (a, b) => (a.compare(b) >= 0 ? a : b);
const min = (a, b) => (a.compare(b) <= 0 ? a : b);

// Condition.holds: the field has one of the values (for a multi-choice field, any chosen one).
function holds(condition, form) {
  if (!condition) return true;
  const value = form[condition.field];
  const chosen = Array.isArray(value) ? value : [value];
  return chosen.some((v) => typeof v === "string" && condition.equals.includes(v));
}

const empty = (value) => value === undefined || value === null || value === "";

// localgov.fees.rules.basis_quantity
function basisQuantity(rule, form) {
  const value = form[rule.basis];
  if (empty(value)) throw new FeeError(`fee rule ${rule.code} needs form field ${rule.basis}, which is empty`);
  let quantity;
  if (typeof value === "string") {
    // Python's Decimal drops every underscore ("1_000", even "_1") before it reads the number.
    quantity = Decimal.of(westernDigits(value.trim()).replaceAll("_", ""));
  } else if (typeof value === "number" && Number.isInteger(value)) {
    quantity = new Decimal(BigInt(value));
  } else {
    throw new FeeError(`fee rule ${rule.code}: field ${rule.basis} must be a number written as text`);
  }
  if (quantity === null || quantity.coefficient < 0n || quantity.adjusted() > 15) {
    throw new FeeError(`fee rule ${rule.code}: field ${rule.basis} must be a number from 0 to 10^15`);
  }
  // Below 10^-40 every fee it makes rounds to 0.00, as zero's does; and exponents that far out
  // would cost BigInt powers of that size.
  if (quantity.adjusted() < -40) return ZERO;
  return quantity;
}

// localgov.fees.rules.tiered_amount: each band's rate on the part of the quantity inside it.
function tieredAmount(rule, quantity) {
  let total = ZERO;
  let lower = ZERO;
  for (const tier of rule.tiers) {
    const bound = number(tier.up_to);
    const upper = bound === null ? quantity : min(quantity, bound);
    if (upper.compare(lower) > 0) total = total.plus(upper.minus(lower).times(number(tier.rate)));
    if (bound === null || quantity.compare(bound) <= 0) break;
    lower = bound;
  }
  return total;
}

// localgov.fees.rules.compute_fee
function computeFee(rule, form) {
  let amount;
  if (rule.kind === "fixed") amount = number(rule.amount);
  else if (rule.kind === "per_unit") amount = number(rule.rate).times(basisQuantity(rule, form));
  else if (rule.kind === "percentage") amount = number(rule.rate).times(basisQuantity(rule, form)).percent();
  else amount = tieredAmount(rule, basisQuantity(rule, form));
  amount = amount.piastres();
  if (rule.minimum !== null) amount = max(amount, number(rule.minimum));
  if (rule.maximum !== null) amount = min(amount, number(rule.maximum));
  return amount.piastres();
}

// Dates as days since 1970-01-01, from "YYYY-MM-DD" (or "YYYYMMDD", which Python reads too).
function day(text) {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (!match || (text.length === 10) !== text.includes("-")) return null;
  const [y, m, d] = [+match[1], +match[2], +match[3]];
  const moment = Date.UTC(y, m - 1, d);
  const back = new Date(moment);
  if (y < 1 || back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return null;
  return { y, m, d, days: moment / 86400000 };
}

function addMonths(date, months) {
  const index = date.m - 1 + months;
  const y = date.y + Math.floor(index / 12);
  const m = (index % 12) + 1;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const d = Math.min(date.d, last);
  return Date.UTC(y, m - 1, d) / 86400000;
}

// localgov.fees.penalties.months_late: months or parts of a month from due to asOf.
function monthsLate(due, asOf, graceDays) {
  if (asOf.days <= due.days + graceDays) return 0;
  let months = Math.max((asOf.y - due.y) * 12 + asOf.m - due.m - 1, 0);
  while (addMonths(due, months) < asOf.days) months += 1;
  return months;
}

// localgov.fees.penalties.late_charge
function lateCharge(rule, fee, form, asOf) {
  const penalty = rule.late_penalty;
  if (!penalty || fee.compare(ZERO) <= 0) return null;
  let due;
  if (penalty.due_date !== null) {
    due = day(penalty.due_date);
  } else {
    const value = form[penalty.due_field];
    if (empty(value)) return null;
    due = typeof value === "string" ? day(westernDigits(value.trim())) : null;
    if (due === null) throw new FeeError(`fee rule ${rule.code}: field ${penalty.due_field} must be a date (YYYY-MM-DD)`);
  }
  const months = monthsLate(due, asOf, penalty.grace_days);
  if (months === 0) return null;
  let amount = fee.times(number(penalty.rate)).times(new Decimal(BigInt(months))).percent();
  if (penalty.cap_percent !== null) amount = min(amount, fee.times(number(penalty.cap_percent)).percent());
  amount = amount.piastres();
  return amount.compare(ZERO) <= 0 ? null : amount;
}

// localgov.fees.assessment.assess_fee: the best exemption the form earns, then any penalty.
function assessFee(rule, form, asOf) {
  const gross = computeFee(rule, form);
  let waived = null;
  for (const exemption of rule.exemptions) {
    if (!holds(exemption.when, form)) continue;
    const amount = gross.times(number(exemption.percent)).percent().piastres();
    if (waived === null || amount.compare(waived) > 0) waived = amount;
  }
  const owed = waived === null ? gross : gross.minus(waived);
  const late = lateCharge(rule, owed, form, asOf);
  return late === null ? owed : owed.plus(late);
}

// localgov.fees.estimate.estimate: the fees known so far, and those still undetermined.
// service: a service of the bundle's forms; rules: its "fee_rules"; form: the checked form;
// asOf: "YYYY-MM-DD". Returns { total: "12.50", complete, fees: [{rule, net}], undetermined: [{rule, field, conditional}] }.
export function estimate(service, rules, form, asOf) {
  const today = day(asOf);
  const fees = [];
  const undetermined = [];
  for (const item of service.fees) {
    const rule = rules[item.rule];
    if (item.when && (empty(form[item.when.field]) || (Array.isArray(form[item.when.field]) && !form[item.when.field].length))) {
      undetermined.push({ rule: rule.code, field: item.when.field, conditional: true });
      continue;
    }
    if (!holds(item.when, form)) continue;
    if (rule.basis !== null && empty(form[rule.basis])) {
      undetermined.push({ rule: rule.code, field: rule.basis, conditional: false });
      continue;
    }
    try {
      fees.push({ rule: rule.code, net: assessFee(rule, form, today) });
    } catch (error) {
      if (!(error instanceof FeeError)) throw error;
      undetermined.push({ rule: rule.code, field: rule.basis, conditional: false });
    }
  }
  const total = fees.reduce((sum, fee) => sum.plus(fee.net), ZERO);
  return {
    total: total.toString(),
    complete: !undetermined.length,
    fees: fees.map((fee) => ({ rule: fee.rule, net: fee.net.toString() })),
    undetermined,
  };
}

// Whether the bundle carries fee rules (a server before this client's estimate did not).
export function carriesFees(forms) {
  return typeof forms.fee_rules === "object" && forms.fee_rules !== null;
}
