/** The administration's settings tab: which "Ask" buttons show, moderation per direction, the
 * notification rules (manage_settings), and webhooks (manage_webhooks). Each section is shown
 * only to those whose token holds its permission (no `permissions` claim: all of them), and is
 * saved on its own through the API (PUT /v1/settings with that section's fields alone; the
 * webhooks' own endpoints). The API's 422 details land beside their fields (aria-invalid,
 * aria-describedby); what was saved is said in the section's status line, a live region. */
import {ApiError} from './api.js';
import {h, replace} from './dom.js';
import {formatTime} from './format.js';
import {t} from './strings.js';

const BUTTON_FLAGS = ['customer_to_vendor_enabled', 'vendor_to_admin_enabled', 'show_on_product', 'show_on_vendor',
  'show_on_order'];
const DIRECTIONS = ['moderation_customer_to_vendor', 'moderation_vendor_to_customer'];
const ACTIONS = ['allow', 'mask', 'hold'];
const CHANNELS = ['email', 'in_app'];
// The order the rules are shown in; a kind or side the page does not know yet comes last.
const KINDS = ['customer_vendor_message', 'order_message', 'vendor_admin_message', 'announcement'];
const SIDES = ['customer', 'vendor', 'admin'];
const RETRY = ['attempts', 'first_delay_seconds', 'max_delay_seconds'];
// customer_erased: a customer's data was erased (docs/privacy.md): the receiver erases its copies.
const WEBHOOK_EVENTS = ['message_posted', 'thread_started', 'customer_erased'];

/** What the token lets the page show: the API checks again on every call. */
export function mayAdminister(claims, permission) {
  if (claims.role !== 'admin') return false;
  return !Array.isArray(claims.permissions) || claims.permissions.includes(permission);
}

/** The messages a 422's details hold at `path` (['notifications', 'retry', 'attempts']); a
 * list's entries are named by their line ("Line 2: …"). */
export function messagesAt(details, path) {
  let found = details;
  for (const name of path) {
    if (!found || typeof found !== 'object' || Array.isArray(found) || !(name in found)) return [];
    found = found[name];
  }
  return flatten(found);
}

export function flatten(found, line = null) {
  if (typeof found === 'string') return [line === null ? found : t('settingsLine', {line, problem: found})];
  if (Array.isArray(found)) return found.flatMap((item) => flatten(item, line));
  if (found && typeof found === 'object') {
    return Object.entries(found).flatMap(([key, value]) => flatten(value, /^\d+$/.test(key) ? Number(key) + 1 : line));
  }
  return [];
}

function inOrder(names, order) {
  const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
  return [...names].sort((a, b) => rank(a) - rank(b));
}

let forms = 0;

/** One section's form: its fields, the errors beside them, its status line and its Save button. */
class SectionForm {
  constructor(name, title, save) {
    this.name = name;
    this.fields = [];
    this.problem = h('p', {class: 'error', role: 'alert'});
    this.status = h('p', {class: 'note', role: 'status'});
    this.body = h('div', {class: 'settings-fields'});
    this.saveButton = h('button', {type: 'submit', class: 'primary'}, t('settingsSave'));
    this.form = h('form', {'aria-labelledby': `settings-${name}-title`, novalidate: true, onsubmit: async (event) => {
      event.preventDefault();
      await save();
    }}, this.body, this.problem, h('div', {class: 'buttons'}, this.saveButton), this.status);
    this.element = h('section', {class: `settings-section settings-${name}`, 'aria-labelledby': `settings-${name}-title`},
      h('h3', {id: `settings-${name}-title`}, title), this.form);
  }

  /** A control whose errors are those of `path` in a 422's details. */
  field(control, path) {
    const id = `settings-error-${++forms}`;
    const error = h('p', {class: 'error field-error', id});
    control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
    control.addEventListener('input', () => this.clear(entry));
    const entry = {control, path, error};
    this.fields.push(entry);
    return error;
  }

  clear(entry) {
    entry.error.textContent = '';
    entry.control.removeAttribute('aria-invalid');
  }

  begin() {
    this.problem.textContent = '';
    this.status.textContent = '';
    for (const entry of this.fields) this.clear(entry);
    this.saveButton.disabled = true;
  }

  done(text) {
    this.saveButton.disabled = false;
    this.status.textContent = text;
  }

  /** The error beside each field it names; the rest, and errors of no field, above the button. */
  failed(error) {
    this.saveButton.disabled = false;
    if (!(error instanceof ApiError)) {
      this.problem.textContent = t('errorGeneric');
      return;
    }
    let placed = 0;
    let first = null;
    for (const entry of this.fields) {
      const messages = messagesAt(error.details, entry.path);
      if (!messages.length) continue;
      entry.error.textContent = messages.join(' ');
      entry.control.setAttribute('aria-invalid', 'true');
      first = first || entry.control;
      placed += 1;
    }
    if (!placed) this.problem.textContent = flatten(error.details).join(' ') || error.sentence;
    else this.problem.textContent = t('settingsFix');
    first?.focus();
  }
}

export class SettingsScreen {
  constructor(host) {
    this.host = host;
    const claims = host.claims;
    this.mayChangeSettings = mayAdminister(claims, 'manage_settings');
    this.mayManageWebhooks = mayAdminister(claims, 'manage_webhooks');
    this.allowed = this.mayChangeSettings || this.mayManageWebhooks;
    this.loadProblem = h('p', {class: 'error', role: 'alert'});
    const sections = [];
    if (this.mayChangeSettings) {
      this.buttons = this.buttonsSection();
      this.moderation = this.moderationSection();
      this.rules = this.rulesSection();
      sections.push(this.buttons.element, this.moderation.element, this.rules.element);
    }
    if (this.mayManageWebhooks) {
      this.webhooks = this.webhooksSection();
      sections.push(this.webhooks.element);
    }
    this.loading = h('p', {class: 'muted'}, t('loading'));
    this.sections = h('div', {class: 'settings-sections', hidden: true}, sections);
    this.element = h('div', {class: 'panel settings'}, h('h2', {class: 'visually-hidden'}, t('tabSettings')),
      this.loading, this.loadProblem, this.sections);
  }

  /** Read what is set now (each time the tab opens: another admin may have changed it). The
   * forms stay hidden until then, so nothing typed is overwritten by the answer. */
  async load() {
    this.loadProblem.textContent = '';
    this.element.setAttribute('aria-busy', 'true');
    this.sections.hidden = true;
    this.loading.hidden = false;
    try {
      const [settings, webhooks] = await Promise.all([
        this.mayChangeSettings ? this.host.api.get('/v1/settings') : null,
        this.mayManageWebhooks ? this.host.api.get('/v1/webhooks') : null]);
      if (settings) this.show(settings);
      if (webhooks) this.showWebhooks(webhooks);
      this.sections.hidden = false;
    } catch (error) {
      this.loadProblem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
    } finally {
      this.loading.hidden = true;
      this.element.removeAttribute('aria-busy');
    }
  }

  /** Saves one section's fields, and shows that section as saved: what is being changed in
   * another one stays as typed. */
  async put(section, change, shown) {
    section.begin();
    try {
      const saved = await this.host.api.call('PUT', '/v1/settings', {body: change});
      shown(saved);
      section.done(t('settingsSaved'));
    } catch (error) {
      section.failed(error);
    }
  }

  show(settings) {
    this.showButtons(settings);
    this.showModeration(settings);
    this.showRules(settings.notifications || {});
  }

  showButtons(settings) {
    for (const name of BUTTON_FLAGS) this.flags[name].checked = Boolean(settings[name]);
  }

  showModeration(settings) {
    for (const name of DIRECTIONS) this.actions[name].value = settings[name] || 'allow';
    this.region.value = settings.moderation_phone_region || '';
    this.domains.value = (settings.moderation_allowed_domains || []).join('\n');
    this.words.value = (settings.moderation_blocked_words || []).join('\n');
  }

  // the "Ask" buttons ----------------------------------------------------------------------------

  buttonsSection() {
    const section = new SectionForm('buttons', t('settingsButtonsTitle'), () => this.put(section,
      Object.fromEntries(BUTTON_FLAGS.map((name) => [name, this.flags[name].checked])),
      (saved) => this.showButtons(saved)));
    this.flags = {};
    const check = (name) => {
      this.flags[name] = h('input', {type: 'checkbox', name});
      return h('label', {class: 'check'}, this.flags[name], t(`settingsFlag_${name}`));
    };
    replace(section.body,
      h('fieldset', {}, h('legend', {}, t('settingsWhoMayWrite')), check('customer_to_vendor_enabled'),
        check('vendor_to_admin_enabled')),
      h('fieldset', {}, h('legend', {}, t('settingsWhereButtons')), check('show_on_product'), check('show_on_vendor'),
        check('show_on_order')));
    return section;
  }

  // moderation -----------------------------------------------------------------------------------

  moderationSection() {
    const lines = (textarea) => textarea.value.split('\n').map((line) => line.trim()).filter(Boolean);
    const section = new SectionForm('moderation', t('settingsModerationTitle'), () => this.put(section, {
      ...Object.fromEntries(DIRECTIONS.map((name) => [name, this.actions[name].value])),
      moderation_phone_region: this.region.value.trim().toUpperCase(),
      moderation_allowed_domains: lines(this.domains),
      moderation_blocked_words: lines(this.words),
    }, (saved) => this.showModeration(saved)));
    this.actions = {};
    const labelled = (id, label, control, hint) => {
      control.id = id;
      if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
      return h('div', {class: 'settings-field'}, h('label', {for: id}, label), control,
        hint ? h('p', {class: 'muted', id: `${id}-hint`}, hint) : null, section.field(control, [control.name]));
    };
    const direction = (name) => {
      this.actions[name] = h('select', {name}, ACTIONS.map((action) => h('option', {value: action}, t(`settingsAction_${action}`))));
      return labelled(`settings-${name}`, t(`settingsDirection_${name}`), this.actions[name]);
    };
    this.region = h('input', {type: 'text', name: 'moderation_phone_region', maxlength: 2, size: 4, autocomplete: 'off'});
    this.domains = h('textarea', {name: 'moderation_allowed_domains', rows: 3, spellcheck: 'false'});
    this.words = h('textarea', {name: 'moderation_blocked_words', rows: 3});
    replace(section.body, h('p', {class: 'muted'}, t('settingsModerationHint')),
      direction('moderation_customer_to_vendor'), direction('moderation_vendor_to_customer'),
      labelled('settings-region', t('settingsRegion'), this.region, t('settingsRegionHint')),
      labelled('settings-domains', t('settingsDomains'), this.domains, t('settingsDomainsHint')),
      labelled('settings-words', t('settingsWords'), this.words, t('settingsWordsHint')));
    return section;
  }

  // notification rules ---------------------------------------------------------------------------

  rulesSection() {
    const section = new SectionForm('rules', t('settingsRulesTitle'), () => this.put(section, {notifications: {
      rules: this.chosenRules(),
      coalesce_seconds: Number(this.coalesce.value),
      retry: Object.fromEntries(RETRY.map((name) => [name, Number(this.retry[name].value)])),
    }}, (saved) => this.showRules(saved.notifications || {})));
    this.rulesTable = h('div', {class: 'table-wrap'});
    const number = (id, name, label, path, hint) => {
      const input = h('input', {type: 'number', id, name, min: 0, step: 1, inputmode: 'numeric'});
      if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
      return [input, h('div', {class: 'settings-field'}, h('label', {for: id}, label), input,
        hint ? h('p', {class: 'muted', id: `${id}-hint`}, hint) : null, section.field(input, path))];
    };
    let coalesceField;
    [this.coalesce, coalesceField] = number('settings-coalesce', 'coalesce_seconds', t('settingsCoalesce'),
      ['notifications', 'coalesce_seconds'], t('settingsCoalesceHint'));
    this.retry = {};
    const retryFields = RETRY.map((name) => {
      const [input, field] = number(`settings-retry-${name}`, name, t(`settingsRetry_${name}`), ['notifications', 'retry', name]);
      this.retry[name] = input;
      return field;
    });
    this.rulesSectionForm = section;
    replace(section.body, this.rulesTable, coalesceField,
      h('fieldset', {}, h('legend', {}, t('settingsRetryTitle')), h('div', {class: 'settings-row'}, retryFields)));
    return section;
  }

  showRules(notifications) {
    this.ruleBoxes = [];
    const rules = notifications.rules || {};
    // One group of rows per event, its sides below it: three narrow columns fit a phone.
    const groups = inOrder(Object.keys(rules), KINDS).map((kind) => h('tbody', {},
      h('tr', {}, h('th', {scope: 'colgroup', colspan: 1 + CHANNELS.length, class: 'kind'}, t(`settingsKind_${kind}`))),
      inOrder(Object.keys(rules[kind]), SIDES).map((side) => h('tr', {},
        h('th', {scope: 'row'}, t(`settingsSide_${side}`)),
        CHANNELS.map((channel) => {
          const box = h('input', {type: 'checkbox', checked: rules[kind][side].includes(channel),
            'aria-label': t('settingsRuleBox', {kind: t(`settingsKind_${kind}`), side: t(`settingsSide_${side}`),
              channel: t(`settingsChannel_${channel}`)})});
          this.ruleBoxes.push({kind, side, channel, box});
          return h('td', {}, box);
        })))));
    replace(this.rulesTable, h('table', {class: 'rules'},
      h('caption', {}, t('settingsRulesCaption')),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, t('settingsRuleSide')),
        CHANNELS.map((channel) => h('th', {scope: 'col'}, t(`settingsChannel_${channel}`))))),
      groups));
    this.coalesce.value = notifications.coalesce_seconds ?? '';
    for (const name of RETRY) this.retry[name].value = notifications.retry?.[name] ?? '';
  }

  chosenRules() {
    const rules = {};
    for (const {kind, side, channel, box} of this.ruleBoxes) {
      rules[kind] = rules[kind] || {};
      rules[kind][side] = rules[kind][side] || [];
      if (box.checked) rules[kind][side].push(channel);
    }
    return rules;
  }

  // webhooks -------------------------------------------------------------------------------------

  webhooksSection() {
    this.webhookUrl = h('input', {type: 'url', id: 'settings-webhook-url', name: 'url', maxlength: 2000,
      placeholder: 'https://', autocomplete: 'off', spellcheck: 'false'});
    this.webhookEvents = WEBHOOK_EVENTS.map((event) => h('input', {type: 'checkbox', name: 'events', value: event, checked: true}));
    this.webhookSecret = h('input', {type: 'text', id: 'settings-webhook-secret', name: 'secret', maxlength: 200,
      autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'settings-webhook-secret-hint'});
    const section = new SectionForm('webhooks', t('settingsWebhooksTitle'), () => this.addWebhook(section));
    section.saveButton.textContent = t('settingsWebhookAdd');
    this.webhookList = h('ul', {class: 'webhooks', 'aria-label': t('settingsWebhookList')});
    const eventsGroup = h('fieldset', {}, h('legend', {}, t('settingsWebhookEvents')),
      this.webhookEvents.map((box) => h('label', {class: 'check'}, box, t(`settingsEvent_${box.value}`))));
    this.secretShown = h('p', {class: 'note secret', role: 'status'});
    replace(section.body, this.webhookList,
      h('h4', {}, t('settingsWebhookNew')),
      h('div', {class: 'settings-field'}, h('label', {for: 'settings-webhook-url'}, t('settingsWebhookUrl')), this.webhookUrl,
        section.field(this.webhookUrl, ['url'])),
      eventsGroup, section.field(eventsGroup, ['events']),
      h('div', {class: 'settings-field'}, h('label', {for: 'settings-webhook-secret'}, t('settingsWebhookSecret')),
        this.webhookSecret, h('p', {class: 'muted', id: 'settings-webhook-secret-hint'}, t('settingsWebhookSecretHint')),
        section.field(this.webhookSecret, ['secret'])));
    section.element.append(this.secretShown);
    this.webhookSection = section;
    return section;
  }

  async addWebhook(section) {
    section.begin();
    this.secretShown.textContent = '';
    try {
      const added = await this.host.api.post('/v1/webhooks', {url: this.webhookUrl.value.trim(),
        events: this.webhookEvents.filter((box) => box.checked).map((box) => box.value),
        secret: this.webhookSecret.value.trim() || null});
      this.webhookUrl.value = '';
      this.webhookSecret.value = '';
      section.done(t('settingsWebhookAdded', {url: added.url}));
      this.secretShown.textContent = t('settingsWebhookSecretOnce', {secret: added.secret});
      this.showWebhooks(await this.host.api.get('/v1/webhooks'));
    } catch (error) {
      section.failed(error);
    }
  }

  showWebhooks(answer) {
    const items = answer.items || [];
    replace(this.webhookList, items.length ? items.map((webhook) => this.webhookView(webhook))
      : h('li', {class: 'muted'}, t('settingsWebhookNone')));
  }

  webhookView(webhook) {
    const result = h('p', {class: 'webhook-result'}, this.resultText(webhook.last_result));
    const label = webhook.url;
    const remove = h('button', {type: 'button', class: 'danger', 'aria-label': t('settingsWebhookRemoveLabel', {url: label}),
      onclick: async () => {
        remove.disabled = true;
        try {
          await this.host.api.call('DELETE', `/v1/webhooks/${encodeURIComponent(webhook.id)}`);
          this.webhookSection.done(t('settingsWebhookRemoved', {url: label}));
          this.showWebhooks(await this.host.api.get('/v1/webhooks'));
          this.webhookUrl.focus(); // the button that had the focus is gone
        } catch (error) {
          remove.disabled = false;
          this.webhookSection.failed(error);
        }
      }}, t('remove'));
    const test = h('button', {type: 'button', 'aria-label': t('settingsWebhookTestLabel', {url: label}), onclick: async () => {
      test.disabled = true;
      result.textContent = t('settingsWebhookTesting');
      try {
        const outcome = await this.host.api.post(`/v1/webhooks/${encodeURIComponent(webhook.id)}/test`);
        result.textContent = this.resultText(outcome);
        this.webhookSection.done(this.resultText(outcome));
      } catch (error) {
        result.textContent = '';
        this.webhookSection.failed(error);
      }
      test.disabled = false;
    }}, t('settingsWebhookTest'));
    return h('li', {class: 'webhook', 'data-webhook-id': webhook.id},
      h('p', {class: 'webhook-url'}, webhook.url),
      h('p', {class: 'muted'}, (webhook.events || []).map((event) => t(`settingsEvent_${event}`)).join(', ')),
      result,
      h('div', {class: 'buttons'}, test, remove));
  }

  resultText(outcome) {
    if (!outcome) return t('settingsWebhookNoCalls');
    const when = formatTime(outcome.at);
    if (outcome.status === 'delivered') return t('settingsWebhookDelivered', {code: outcome.status_code, when});
    return t('settingsWebhookFailed', {problem: outcome.error || `HTTP ${outcome.status_code}`, when});
  }
}
