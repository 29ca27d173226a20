// Files in the web front, the pure parts: a failed upload in the reader's words, sizes, and
// the upload itself (XHR: the only browser call that reports an upload's progress).
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {STATIC_URL} from './paths.mjs';

const {Api, ApiError} = await import(`${STATIC_URL}/api.js`);
const {formatSize, kindOf, uploadProblem} = await import(`${STATIC_URL}/attachments.js`);

test('a refused file is told in plain words', () => {
  assert.equal(uploadProblem(new ApiError(415, 'unsupported_media_type', 'x')),
    'Only JPEG, PNG, WebP and GIF images and PDF documents can be attached.');
  assert.equal(uploadProblem(new ApiError(413, 'payload_too_large', 'x'), {max_bytes: 10 * 1024 * 1024}),
    'The file is larger than 10 MB, the most a file may have.');  // the gateway's limit, never one written here
  assert.equal(uploadProblem(new ApiError(413, 'payload_too_large', 'x')), 'The file is too large.');
  assert.equal(uploadProblem(new ApiError(422, 'validation_error', 'x', {file: ['The image is damaged.']})),
    'The image is damaged.');
  assert.equal(uploadProblem(new Error('boom')), 'Something went wrong. Try again.');
});

test('sizes read as bytes, KB and MB', () => {
  assert.equal(formatSize(512), '512 bytes');
  assert.equal(formatSize(48213), '47 KB');
  assert.equal(formatSize(5 * 1024 * 1024), '5 MB');
  assert.equal(formatSize(1.25 * 1024 * 1024), '1.3 MB');
});

test('an upload sends the file as `file` with the token, reports progress and answers the upload', async () => {
  globalThis.location = {href: 'https://shop.example/account'};
  const sent = {};
  globalThis.FormData = class { append(name, file, filename) { sent.form = {name, file, filename}; } };
  globalThis.XMLHttpRequest = class {
    constructor() { this.upload = {}; this.headers = {}; }
    open(method, url) { sent.method = method; sent.url = String(url); }
    setRequestHeader(name, value) { this.headers[name] = value; }
    send() {
      sent.headers = this.headers;
      this.upload.onprogress({lengthComputable: true, loaded: 5, total: 10});
      this.status = 201;
      this.responseText = JSON.stringify({id: 'u1', name: 'a.png', size: 10, content_type: 'image/png'});
      this.onload();
    }
  };
  const shares = [];
  const upload = await new Api('https://api.example/', 'tok').upload({name: 'a.png'}, (share) => shares.push(share));
  assert.deepEqual(upload, {id: 'u1', name: 'a.png', size: 10, content_type: 'image/png'});
  assert.equal(sent.url, 'https://api.example/v1/uploads');
  assert.equal(sent.headers.Authorization, 'Bearer tok');
  assert.equal(sent.form.name, 'file');
  assert.deepEqual(shares, [0.5]);
  assert.equal(new Api('https://api.example').url('/v1/attachments/u1?expires=1&signature=s'),
    'https://api.example/v1/attachments/u1?expires=1&signature=s');
});

test('a file is known by its first bytes, as the gateway knows it, never by its name', () => {
  const bytes = (...parts) => Uint8Array.from(parts.flatMap((part) => typeof part === 'string'
    ? [...part].map((char) => char.charCodeAt(0)) : part));
  assert.equal(kindOf(bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF')), 'image/jpeg');
  assert.equal(kindOf(bytes([0x89], 'PNG\r\n\x1a\n')), 'image/png');
  assert.equal(kindOf(bytes('GIF89a')), 'image/gif');
  assert.equal(kindOf(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 ')), 'image/webp');
  assert.equal(kindOf(bytes('%PDF-1.4')), 'application/pdf');
  assert.equal(kindOf(bytes('just text\n')), null);
  assert.equal(kindOf(bytes('RIFF', [1, 2, 3, 4], 'WAVE')), null);
  assert.equal(kindOf(new Uint8Array()), null);
});
