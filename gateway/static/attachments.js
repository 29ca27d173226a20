/** Files on messages: the picker of the reply box and the ask dialog (a button, drag and drop,
 * paste; each file uploaded at once, with its own progress and its own plain-word problem), and
 * a message's files (thumbnails that open the image full size, documents as links). */
import {ApiError} from './api.js';
import {h} from './dom.js';
import {t} from './strings.js';

export const ACCEPTED_TYPES = 'image/jpeg,image/png,image/webp,image/gif,application/pdf';
export const FILES_PER_MESSAGE = 5;

/** What went wrong with one file, in the reader's words. */
export function uploadProblem(error) {
  if (!(error instanceof ApiError)) return t('errorGeneric');
  if (error.code === 'payload_too_large') return t('errorFileTooLarge');
  if (error.code === 'unsupported_media_type') return t('errorFileType');
  return error.sentence;
}

export function formatSize(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1024) return t('sizeBytes', {count: bytes});
  if (bytes < 1024 * 1024) return t('sizeKilobytes', {count: Math.round(bytes / 1024)});
  return t('sizeMegabytes', {count: (bytes / (1024 * 1024)).toFixed(1)});
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
    this.element = h('div', {class: 'file-picker'},
      this.button, h('span', {id: `${id}-files-hint`, class: 'muted'}, t('attachHint')), this.input, this.list);
  }

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
      if (this.items.length >= FILES_PER_MESSAGE) {
        this.host.announce(t('tooManyFiles', {count: FILES_PER_MESSAGE}));
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
      this.upload(item);
    }
  }

  async upload(item) {
    try {
      item.upload = await this.host.api.upload(item.file, (share) => { item.progress.value = Math.round(share * 100); });
      if (!this.items.includes(item)) return; // removed while it travelled
      item.state = 'done';
      item.status.textContent = t('uploaded');
      this.host.announce(t('fileReady', {name: item.file.name}));
    } catch (error) {
      item.state = 'failed';
      item.status.textContent = uploadProblem(error);
      item.status.classList.add('error');
      this.host.announce(t('fileFailed', {name: item.file.name, problem: uploadProblem(error)}));
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

/** A message's files: images as thumbnails that open full size, documents as named links. */
export function filesView(message, api) {
  const files = message.attachments || [];
  if (!files.length) return null;
  return h('ul', {class: 'attachments', 'aria-label': t('filesOfMessage')}, files.map((file) => {
    const link = {href: api.url(file.url), target: '_blank', rel: 'noopener noreferrer'};
    if (file.thumbnail_url) {
      return h('li', {}, h('a', {...link, 'aria-label': t('openImage', {name: file.name})},
        h('img', {src: api.url(file.thumbnail_url), alt: file.name, loading: 'lazy'})));
    }
    return h('li', {}, h('a', link, file.name), ' ', h('span', {class: 'muted'}, formatSize(file.size)));
  }));
}
