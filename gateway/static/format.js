/** Pure formatters and readers (no DOM): dates, amounts, durations, shares, context values, and
 * who a token says the reader is. Dates and numbers follow STRINGS.locale. */
import {STRINGS, t} from './strings.js';

export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(STRINGS.locale, {dateStyle: 'medium', timeStyle: 'short'});
}

/** An amount; with the catalog's `currency`, a price as the storefront writes it: CS-Cart's
 * symbol, decimals and separators when the catalog gives them, else the currency's code in the
 * reader's own way (services/catalog_context/money.py). */
export function formatAmount(value, currency = null) {
  if (value === null || value === undefined || value === '') return t('nothing');
  const number = Number(value);
  if (Number.isNaN(number)) return String(value);
  if (currency && typeof currency.symbol === 'string') return cscartPrice(number, currency);
  if (currency && currency.code) {
    try {
      return number.toLocaleString(STRINGS.locale, {style: 'currency', currency: currency.code});
    } catch {
      // a code the browser does not know: the amount alone, as before
    }
  }
  return number.toLocaleString(STRINGS.locale, {minimumFractionDigits: 2, maximumFractionDigits: 2});
}

/** CS-Cart's price: fixed decimals, its separators, the symbol before ("$1,234.50") or after
 * ("1.234,50 €", with a no-break space) the amount. */
function cscartPrice(number, currency) {
  const decimals = Number.isInteger(currency.decimals) ? currency.decimals : 2;
  const [whole, fraction] = Math.abs(number).toFixed(decimals).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, currency.thousands_separator ?? ',');
  const amount = `${grouped}${fraction ? `${currency.decimals_separator ?? '.'}${fraction}` : ''}`;
  const sign = number < 0 && Number(amount.replace(/\D/g, '')) !== 0 ? '-' : '';
  return sign + (currency.after ? `${amount}\u00a0${currency.symbol}` : `${currency.symbol}${amount}`);
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
export function changeValues(change, currency = null) {
  const show = ['price', 'total'].includes(change.field) ? (value) => formatAmount(value, currency) : formatValue;
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
