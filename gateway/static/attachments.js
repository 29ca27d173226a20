/** Files on messages: the picker of the reply box and the ask dialog (a button, drag and drop,
 * paste; each file uploaded at once, with its own progress and its own plain-word problem; one
 * over the gateway's limit refused before a byte of it travels), and a message's files
 * (thumbnails that open an in-page viewer, documents as links). */
import {Api, ApiError} from './api.js';
import {h, replace} from './dom.js';
import {t} from './strings.js';

export const ACCEPTED_TYPES = 'image/jpeg,image/png,image/webp,image/gif,application/pdf';
// Until the gateway has said (GET /v1/uploads/limits): the count only; the size is its to say.
export const FILES_PER_MESSAGE = 5;

const limits = new Map();

/** What an upload may be, asked of the gateway once per API base (again after a failure):
 * {max_bytes, files_per_message, content_types}. */
export function uploadLimits(apiBase) {
  if (!limits.has(apiBase)) {
    const loading = new Api(apiBase).call('GET', '/v1/uploads/limits', {auth: false});
    loading.catch(() => limits.delete(apiBase));
    limits.set(apiBase, loading);
  }
  return limits.get(apiBase);
}

/** What went wrong with one file, in the reader's words; `limit` the gateway's, when known. */
export function uploadProblem(error, limit = null) {
  if (!(error instanceof ApiError)) return t('errorGeneric');
  if (error.code === 'payload_too_large') return tooLarge(limit);
  if (error.code === 'unsupported_media_type') return t('errorFileType');
  return error.sentence;
}

/** The kind of file its first bytes say it is (as the gateway judges it: by the bytes, never the
 * name), or null: JPEG, PNG, GIF, WebP or PDF. */
export function kindOf(bytes) {
  const starts = (signature, at = 0) => [...signature].every((char, index) => bytes[at + index] === char.charCodeAt(0));
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes[0] === 0x89 && starts('PNG\r\n\x1a\n', 1)) return 'image/png';
  if (starts('GIF87a') || starts('GIF89a')) return 'image/gif';
  if (starts('RIFF') && starts('WEBP', 8)) return 'image/webp';
  if (starts('%PDF-')) return 'application/pdf';
  return null;
}

function tooLarge(limit) {
  return limit?.max_bytes ? t('errorFileTooLarge', {size: formatSize(limit.max_bytes)}) : t('errorFileTooLargeUnknown');
}

export function formatSize(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1024) return t('sizeBytes', {count: bytes});
  if (bytes < 1024 * 1024) return t('sizeKilobytes', {count: Math.round(bytes / 1024)});
  return t('sizeMegabytes', {count: Number((bytes / (1024 * 1024)).toFixed(1))});
}

export class FilePicker {
  /** `host` is the element (its api, its live region); `id` makes the input's id unique. */
  constructor(host, id) {
    this.host = host;
    this.items = [];
    this.input = h('input', {type: 'file', id: `${id}-files`, multiple: true, accept: ACCEPTED_TYPES,
      class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true',
      onchange: () => { this.add([...this.input.files]); this.input.value = ''; }});
    this.button = h('button', {type: 'button', class: 'attach', 'aria-describedby': `${id}-files-hint`,
      onclick: () => this.input.click()}, t('attachFiles'));
    this.list = h('ul', {class: 'files', 'aria-label': t('filesToSend')});
    this.hint = h('span', {id: `${id}-files-hint`, class: 'muted'}, t('attachHintUnknown', {count: FILES_PER_MESSAGE}));
    this.element = h('div', {class: 'file-picker'}, this.button, this.hint, this.input, this.list);
    this.limit = null;
    uploadLimits(host.apiBase).then((limit) => {
      this.limit = limit;
      this.hint.textContent = t('attachHint', {count: limit.files_per_message, size: formatSize(limit.max_bytes)});
    }, () => {}); // unknown: the gateway refuses a file too large after it is sent, as before
  }

  get perMessage() { return this.limit?.files_per_message || FILES_PER_MESSAGE; }

  /** Files dropped on `target`, or pasted into it, join the others. */
  watch(target) {
    const carriesFiles = (event) => [...(event.dataTransfer?.types || [])].includes('Files');
    target.addEventListener('dragover', (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      target.classList.add('dropping');
    });
    target.addEventListener('dragleave', () => target.classList.remove('dropping'));
    target.addEventListener('drop', (event) => {
      target.classList.remove('dropping');
      if (!event.dataTransfer?.files?.length) return;
      event.preventDefault();
      this.add([...event.dataTransfer.files]);
    });
    target.addEventListener('paste', (event) => {
      const files = [...(event.clipboardData?.files || [])];
      if (!files.length) return;
      event.preventDefault();
      this.add(files);
    });
  }

  add(files) {
    for (const file of files) {
      if (this.items.length >= this.perMessage) {
        this.host.announce(t('tooManyFiles', {count: this.perMessage}));
        break;
      }
      const item = {file, state: 'uploading', upload: null};
      item.progress = h('progress', {max: 100, value: 0, 'aria-label': t('uploadingFile', {name: file.name})});
      item.status = h('span', {class: 'file-status'}, t('uploading'));
      item.element = h('li', {class: 'uploading'},
        h('span', {class: 'file-name'}, file.name), ' ', item.progress, ' ', item.status,
        h('button', {type: 'button', class: 'link', 'aria-label': t('removeFile', {name: file.name}),
          onclick: () => this.remove(item)}, t('remove')));
      this.items.push(item);
      this.list.append(item.element);
      this.check(item);
    }
  }

  /** Refused here, before its bytes travel, when the gateway would refuse it: too large, or not
   * a kind it takes (it would read it all to say the same). */
  async check(item) {
    if (this.limit && item.file.size > this.limit.max_bytes) {
      this.refuse(item, tooLarge(this.limit));
      return;
    }
    let kind = 'unknown';
    try {
      kind = kindOf(new Uint8Array(await item.file.slice(0, 16).arrayBuffer()));
    } catch {
      // unreadable here: the gateway judges it
    }
    if (!this.items.includes(item)) return; // removed meanwhile
    if (kind === null) this.refuse(item, t('errorFileType'));
    else this.upload(item);
  }

  refuse(item, problem) {
    item.state = 'failed';
    item.status.textContent = problem;
    item.status.classList.add('error');
    item.progress.hidden = true;
    item.element.className = item.state;
    this.host.announce(t('fileFailed', {name: item.file.name, problem}));
  }

  async upload(item) {
    try {
      item.upload = await this.host.api.upload(item.file, (share) => { item.progress.value = Math.round(share * 100); });
      if (!this.items.includes(item)) return; // removed while it travelled
      item.state = 'done';
      item.status.textContent = t('uploaded');
      this.host.announce(t('fileReady', {name: item.file.name}));
    } catch (error) {
      this.refuse(item, uploadProblem(error, this.limit));
      return;
    }
    item.progress.hidden = true;
    item.element.className = item.state;
  }

  remove(item) {
    this.items = this.items.filter((other) => other !== item);
    item.element.remove();
    this.button.focus();
  }

  get busy() { return this.items.some((item) => item.state === 'uploading'); }

  get failed() { return this.items.some((item) => item.state === 'failed'); }

  get ids() { return this.items.filter((item) => item.state === 'done').map((item) => item.upload.id); }

  clear() {
    this.items = [];
    this.list.replaceChildren();
  }
}

/** A message's files: images as thumbnails that open the in-page viewer (on the message's
 * pictures), documents as named links. `viewer` is the conversation's ImageViewer. */
export function filesView(message, api, viewer) {
  const files = message.attachments || [];
  if (!files.length) return null;
  const pictures = files.filter((file) => file.thumbnail_url);
  return h('ul', {class: 'attachments', 'aria-label': t('filesOfMessage')}, files.map((file) => {
    if (file.thumbnail_url) {
      return h('li', {}, h('button', {type: 'button', class: 'thumb', 'data-attachment-id': file.id,
        'aria-label': t('openImage', {name: file.name}), 'aria-haspopup': 'dialog',
        onclick: () => viewer.open(pictures, pictures.indexOf(file))},
      h('img', {src: api.url(file.thumbnail_url), alt: '', loading: 'lazy'})));
    }
    return h('li', {}, h('a', {href: api.url(file.url), target: '_blank', rel: 'noopener noreferrer'}, file.name),
      ' ', h('span', {class: 'muted'}, formatSize(file.size)));
  }));
}

/** The in-page viewer of a message's pictures: a modal dialog titled with the file's real name;
 * the arrow keys (and the buttons) go between the message's pictures, Escape closes it and
 * gives the focus back to the thumbnail that opened it (found again by its file's id, as the
 * conversation may have been drawn anew meanwhile). */
export class ImageViewer {
  constructor(host) {
    this.host = host;
    this.title = h('h2', {id: 'viewer-title'});
    this.counter = h('span', {class: 'muted', 'aria-live': 'polite'});
    this.image = h('img', {alt: ''});
    this.original = h('a', {target: '_blank', rel: 'noopener noreferrer'}, t('viewerOriginal'));
    this.previous = h('button', {type: 'button', onclick: () => this.go(-1)}, `← ${t('viewerPrevious')}`);
    this.next = h('button', {type: 'button', onclick: () => this.go(1)}, `${t('viewerNext')} →`);
    this.closeButton = h('button', {type: 'button', class: 'primary', onclick: () => this.dialog.close()}, t('close'));
    this.dialog = h('dialog', {class: 'viewer', 'aria-labelledby': 'viewer-title'},
      h('div', {class: 'viewer-head'}, this.title, this.closeButton),
      h('figure', {}, this.image),
      h('div', {class: 'viewer-foot'}, this.previous, this.counter, this.next, this.original));
    this.dialog.addEventListener('keydown', (event) => {
      const step = {ArrowLeft: -1, ArrowRight: 1}[event.key];
      if (!step || event.target.matches?.('input, textarea')) return;
      event.preventDefault();
      this.go(step);
    });
    this.dialog.addEventListener('close', () => {
      const opener = this.host.root.querySelector(`[data-attachment-id="${CSS.escape(this.openedFrom || '')}"]`);
      opener?.focus();
    });
  }

  open(pictures, index) {
    this.pictures = pictures;
    this.openedFrom = pictures[index]?.id;
    if (!this.dialog.isConnected) this.host.root.append(this.dialog);
    this.show(index);
    if (!this.dialog.open) this.dialog.showModal();
    this.closeButton.focus();
  }

  go(step) {
    if (this.pictures.length < 2) return;
    this.show((this.index + step + this.pictures.length) % this.pictures.length);
  }

  show(index) {
    const file = this.pictures[index];
    this.index = index;
    replace(this.title, file.name);
    this.image.src = this.host.api.url(file.url);
    this.image.alt = file.name;
    this.original.href = this.host.api.url(file.url);
    this.counter.textContent = this.pictures.length > 1
      ? t('viewerPosition', {index: index + 1, count: this.pictures.length}) : '';
    this.previous.hidden = this.next.hidden = this.pictures.length < 2;
  }
}
