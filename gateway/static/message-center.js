/**
 * Message Center web components: native ES modules, no build step. This is the entry; its URL
 * is the one storefronts and portals embed:
 *
 *   <script type="module" src="https://<gateway>/ui/message-center.js"></script>
 *   <mc-ask-question product-id="101" api-base="https://<gateway>" token="<JWT>"></mc-ask-question>
 *   <mc-ask-question order-id="5001" …>   <mc-ask-question company-id="1" …>
 *     (optional: messages-url, the Messages tab's address for the link shown after sending;
 *      label, the button's words where the page has several)
 *   <mc-messages api-base="…" token="…" events-url="https://<push>/v1/events"></mc-messages>
 *   <mc-message-center api-base="…" token="…" events-url="…"></mc-message-center>
 *
 * Or, instead of attributes: element.configure({apiBase, token, eventsUrl}).
 * `events-url` is the push process's stream (default: api-base + /v1/events); without a stream
 * the pages poll every 20 s. Every visible string is in STRINGS: replace its entries to
 * translate (Object.assign(STRINGS, {...}) before the elements render).
 *
 * Message bodies are the API's sanitised HTML (only <a> and <br>): they are parsed inert and
 * copied node by node, links and line breaks only (safe-html.js). Everything else (names,
 * subjects, previews, context) is set as text.
 *
 * The modules beside this one, each imported by a relative URL (same origin as this entry):
 *   strings.js  the visible strings and t()          format.js     dates, amounts, durations, tokens
 *   safe-html.js  message bodies, links              dom.js        building elements
 *   api.js      HTTP calls to the gateway, errors     live.js       the live feed (EventSource, polling)
 *   styles.js   the CSS                               element.js    the elements' base class
 *   mc-ask-question.js, mc-messages.js, mc-message-center.js   the three elements (each defines its own)
 *   inbox.js, thread-list.js, conversation.js, bell.js, admin.js   their parts
 *
 * This entry holds no logic, only imports: the gateway (gateway/blueprints/ui.py) serves it
 * with a short cache and rewrites its `./name.js` imports to `./v/<version>/name.js`, where
 * <version> is a digest of every module; those URLs are cached for a year, and the modules'
 * own relative imports stay inside the same versioned directory. A page therefore loads one
 * whole version of the modules, never a mix of two deployments.
 */
export {STRINGS, t} from './strings.js';
export {ApiError} from './api.js';
export {AskQuestion} from './mc-ask-question.js';
export {Messages} from './mc-messages.js';
export {MessageCenter} from './mc-message-center.js';
