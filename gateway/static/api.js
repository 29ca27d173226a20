/** HTTP calls to the gateway: the bearer token, idempotency keys, the contract's errors in the
 * reader's language; the public settings, fetched once per gateway (again after a failure). */
import {t} from './strings.js';

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** What to tell the person: the contract's code in their language, or the server's words. */
  get sentence() {
    const known = {
      network: 'errorNetwork', unauthorized: 'errorUnauthorized', forbidden: 'errorForbidden',
      not_found: 'errorNotFound', unavailable: 'errorUnavailable', payload_too_large: 'errorTooLarge',
    }[this.code];
    if (known) return t(known);
    if (this.code === 'validation_error') {
      const details = Object.values(this.details || {}).flat().filter((item) => typeof item === 'string');
      return details.length ? details.join(' ') : this.message;
    }
    return this.message || t('errorGeneric');
  }
}

export class Api {
  constructor(base, token) {
    this.base = (base || '').replace(/\/+$/, '');
    this.token = token;
  }

  async call(method, path, {query, body, key, auth = true} = {}) {
    const url = new URL(this.base + path, location.href);
    for (const [name, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== '' && value !== false) url.searchParams.set(name, value);
    }
    const headers = {Accept: 'application/json'};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth && this.token) headers.Authorization = `Bearer ${this.token}`;
    if (key) headers['Idempotency-Key'] = key;
    let response;
    try {
      response = await fetch(url, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    } catch {
      throw new ApiError(0, 'network', t('errorNetwork'));
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(response.status, error.code || 'error', error.message || t('errorGeneric'), error.details || {});
    }
    return data;
  }

  /** An address the API gave (a file's signed link), as the page must ask for it. */
  url(path) { return new URL(this.base + path, location.href).href; }

  /** Upload one file (POST /v1/uploads); `onProgress(share)` hears how much has gone. XHR, not
   * fetch: only XHR reports an upload's progress. */
  upload(file, onProgress = () => {}) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open('POST', new URL(`${this.base}/v1/uploads`, location.href));
      if (this.token) request.setRequestHeader('Authorization', `Bearer ${this.token}`);
      request.setRequestHeader('Accept', 'application/json');
      request.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); };
      request.onerror = () => reject(new ApiError(0, 'network', t('errorNetwork')));
      request.onload = () => {
        let data = null;
        try { data = JSON.parse(request.responseText); } catch { /* not JSON: the status speaks */ }
        if (request.status === 201) return resolve(data);
        const error = (data && data.error) || {};
        const code = error.code || {413: 'payload_too_large', 415: 'unsupported_media_type'}[request.status] || 'error';
        return reject(new ApiError(request.status, code, error.message || t('errorGeneric'), error.details || {}));
      };
      const form = new FormData();
      form.append('file', file, file.name);
      request.send(form);
    });
  }

  get(path, query) { return this.call('GET', path, {query}); }
  post(path, body, key) { return this.call('POST', path, {body, key}); }
}

const publicSettings = new Map();

export function settingsFor(apiBase) {
  if (!publicSettings.has(apiBase)) {
    const loading = new Api(apiBase).call('GET', '/v1/settings/public', {auth: false});
    loading.catch(() => publicSettings.delete(apiBase)); // try again on the next element
    publicSettings.set(apiBase, loading);
  }
  return publicSettings.get(apiBase);
}
