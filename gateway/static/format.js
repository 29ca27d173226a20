/** Pure formatters and readers (no DOM): dates, amounts, durations, shares, context values, and
 * who a token says the reader is. Dates and numbers follow STRINGS.locale. */
import {STRINGS, t} from './strings.js';

export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(STRINGS.locale, {dateStyle: 'medium', timeStyle: 'short'});
}

export function formatAmount(value) {
  if (value === null || value === undefined || value === '') return t('nothing');
  const number = Number(value);
  if (Number.isNaN(number)) return String(value);
  return number.toLocaleString(STRINGS.locale, {minimumFractionDigits: 2, maximumFractionDigits: 2});
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return t('nothing');
  const total = Math.round(seconds);
  if (total < 60) return t('seconds', {s: total});
  const minutes = Math.round(total / 60);
  if (minutes < 60) return t('minutes', {m: minutes});
  return t('hours', {h: Math.floor(minutes / 60), m: minutes % 60});
}

export function formatShare(share) {
  if (share === null || share === undefined) return t('nothing');
  return share.toLocaleString(STRINGS.locale, {style: 'percent', maximumFractionDigits: 0});
}

/** A context change's before and after, amounts shown as amounts. */
export function changeValues(change) {
  const show = ['price', 'total'].includes(change.field) ? formatAmount : formatValue;
  return {then: show(change.then), now: show(change.now)};
}

export function formatValue(value) {
  if (value === null || value === undefined || value === '') return t('nothing');
  if (Array.isArray(value)) return t('itemsCount', {count: value.length});
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The claims of a JWT, for what the page shows (the API decides what is allowed). */
export function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = part.padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

const SIDES = {customer: 'sideCustomer', vendor: 'sideVendor', admin: 'sideAdmin'};

/** The side a role writes for; null for any other (own keys only: not "__proto__" or "toString"). */
export function sideOfRole(role) {
  return Object.hasOwn(SIDES, role) ? role : null;
}

export function sideLabel(side) {
  return Object.hasOwn(SIDES, side) ? t(SIDES[side]) : '';
}
