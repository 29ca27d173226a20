/** The elements' CSS, inside each shadow root; themable through the --mc-* custom properties. */

export const STYLES = `
:host { display: block; container-type: inline-size; color: var(--mc-text, #1c2330);
  font: var(--mc-font-size, 15px)/1.45 var(--mc-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif); }
:host([hidden]) { display: none; }
/* A long URL or word breaks rather than running off the side, wherever it is (lists, the bell, tables). */
:host { overflow-wrap: break-word; }
td, th, dd, li { overflow-wrap: anywhere; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
h2, h3, h4 { margin: 0; line-height: 1.25; }
h2 { font-size: 1.3em; } h3 { font-size: 1.1em; } h4 { font-size: 1em; }
p { margin: 0; }
a { color: var(--mc-link, #1f56b3); }
button, input, select, textarea { font: inherit; color: inherit; }
button { cursor: pointer; border-radius: 6px; border: 1px solid var(--mc-border, #c5ccd8); background: #fff;
  padding: .45em .9em; min-height: 2.4em; }
button:hover { background: var(--mc-hover, #f1f4f9); }
button.primary { background: var(--mc-accent, #1f56b3); border-color: var(--mc-accent, #1f56b3); color: #fff; font-weight: 600; }
button.primary:hover { filter: brightness(1.08); }
button.danger { color: var(--mc-danger, #b42318); border-color: currentColor; }
button:disabled { opacity: .6; cursor: default; }
button.link { border: 0; background: none; padding: .2em 0; min-height: 0; color: var(--mc-link, #1f56b3); text-decoration: underline; }
:focus-visible { outline: 3px solid var(--mc-focus, #f0a500); outline-offset: 2px; }
input[type=text], input[type=search], input[type=date], select, textarea { border: 1px solid var(--mc-border, #c5ccd8);
  border-radius: 6px; padding: .45em .6em; background: #fff; min-width: 0; max-width: 100%; }
textarea { width: 100%; resize: vertical; min-height: 5.5em; }
label { display: inline-flex; flex-direction: column; gap: .2em; font-size: .92em; }
label.check { flex-direction: row; align-items: center; gap: .45em; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  clip-path: inset(50%); white-space: nowrap; }
.muted { color: var(--mc-muted, #5b6576); font-size: .9em; }
.error { color: var(--mc-danger, #b42318); }
.error:empty, .note:empty { display: none; }
.badge { display: inline-block; min-width: 1.6em; padding: .05em .5em; border-radius: 999px; text-align: center;
  background: var(--mc-accent, #1f56b3); color: #fff; font-size: .8em; font-weight: 700; line-height: 1.5; }
.chip { display: inline-block; padding: 0 .5em; border-radius: 4px; font-size: .8em; background: #eef1f6; color: #394150; }
.chip.awaiting { background: #fff3d6; color: #7a4d00; }
.chip.closed { background: #e9e9ee; }
.chip.held { background: #fff3d6; color: #7a4d00; }
.chip.rejected { background: #fdecea; color: #8a1c12; }
.frame { border: 1px solid var(--mc-border, #d7dce5); border-radius: 10px; background: var(--mc-surface, #fff); }
.head { display: flex; flex-wrap: wrap; align-items: center; gap: .6em; justify-content: space-between; padding: .8em 1em;
  border-bottom: 1px solid var(--mc-border, #d7dce5); }
.head .title { display: flex; align-items: center; gap: .5em; flex-wrap: wrap; }
.live { font-size: .8em; color: var(--mc-muted, #5b6576); }
.live::before { content: "●"; margin-right: .3em; color: #9aa3b2; }
.live[data-state=stream]::before { color: #1a7f37; }
.banner { margin: .8em 1em; padding: .6em .8em; border-radius: 6px; background: #fdecea; color: #8a1c12;
  display: flex; flex-wrap: wrap; gap: .6em; align-items: center; justify-content: space-between; }
.banner:empty { display: none; }

/* the list */
.threads { list-style: none; margin: 0; padding: 0; }
.thread-row { display: flex; align-items: stretch; border-bottom: 1px solid #eceff4; }
.thread-row .pick { display: flex; align-items: flex-start; padding: .95em 0 0 .8em; }
.thread-row .pick input { width: 1.15em; height: 1.15em; }
.thread-open { flex: 1; min-width: 0; display: grid; gap: .15em; text-align: left; border: 0; border-radius: 0;
  background: none; padding: .7em .9em; }
.thread-open[aria-current=true] { background: var(--mc-selected, #e8effb); }
.thread-open .line { display: flex; gap: .5em; align-items: baseline; justify-content: space-between; min-width: 0; }
.thread-open .subject { font-weight: 400; overflow-wrap: anywhere; }
.thread-row.unread .subject { font-weight: 700; }
.thread-row.unread .thread-open { box-shadow: inset 3px 0 0 var(--mc-accent, #1f56b3); }
.thread-open .time { flex: none; font-size: .8em; color: var(--mc-muted, #5b6576); }
.thread-open .about, .thread-open .preview { font-size: .88em; color: var(--mc-muted, #5b6576); overflow-wrap: anywhere; }
.thread-open .preview { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.thread-row.unread .preview { color: var(--mc-text, #1c2330); }
.thread-open .marks { display: flex; flex-wrap: wrap; gap: .35em; align-items: center; }
.list-foot { padding: .8em; text-align: center; }
.empty { padding: 1.5em 1em; color: var(--mc-muted, #5b6576); text-align: center; }
.bulk { display: flex; flex-wrap: wrap; gap: .5em .8em; align-items: center; padding: .6em .9em; border-bottom: 1px solid #eceff4;
  background: #fafbfd; }

/* the workspace: list and conversation side by side on wide screens, one at a time on phones */
.workspace { display: grid; grid-template-columns: minmax(0, 1fr); }
.list-pane, .conversation-pane { min-width: 0; }
.workspace.reading .list-pane { display: none; }
.workspace:not(.reading) .conversation-pane { display: none; }
.back { margin: .6em 1em 0; }
@container (min-width: 760px) {
  .workspace { grid-template-columns: minmax(250px, 36%) minmax(0, 1fr); }
  .workspace.reading .list-pane, .workspace .list-pane { display: block; border-right: 1px solid var(--mc-border, #d7dce5); }
  .workspace:not(.reading) .conversation-pane { display: block; }
  .back { display: none; }
}

/* a conversation: the messages scroll in an area of their own, opening at the newest; the reply
   box stays under them; the context beside them on wide screens, behind a button below that */
.conversation { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0; }
.conv-head { grid-area: auto; padding: .8em 1em; border-bottom: 1px solid #eceff4; display: flex; flex-wrap: wrap; gap: .5em;
  align-items: center; justify-content: space-between; }
.conv-head h3 { overflow-wrap: anywhere; }
.conv-head .actions { display: flex; flex-wrap: wrap; gap: .4em; }
.dialogue { min-width: 0; display: flex; flex-direction: column; height: clamp(26em, calc(100dvh - 7em), 52em); }
.scroller { flex: 1 1 auto; min-height: 8em; overflow-y: auto; overscroll-behavior: contain; padding: .8em 1em;
  display: grid; gap: .8em; align-content: start; }
.scroller .older { justify-self: center; }
.messages { list-style: none; margin: 0; padding: 0; display: grid; gap: .7em; }
.message { max-width: min(38em, 92%); min-width: 0; padding: .55em .8em; border-radius: 10px; background: #f2f4f8;
  justify-self: start; overflow-wrap: anywhere; }
.message.mine { background: var(--mc-mine, #e3ecfb); justify-self: end; }
.message .meta { display: flex; flex-wrap: wrap; gap: .2em .6em; font-size: .8em; color: var(--mc-muted, #5b6576); }
.message .author { font-weight: 600; color: var(--mc-text, #1c2330); }
.message .text { overflow-wrap: anywhere; margin-top: .2em; }
.message .seen { margin-top: .3em; font-size: .8em; color: var(--mc-muted, #5b6576); text-align: right; }
.reply { flex: none; display: grid; gap: .5em; padding: .7em 1em .8em; border-top: 1px solid var(--mc-border, #d7dce5);
  background: var(--mc-surface, #fff); max-height: 60%; overflow-y: auto; }
.reply textarea { min-height: 3.6em; }
.reply .row { display: flex; flex-wrap: wrap; gap: .5em; align-items: center; justify-content: space-between; }
.reply .row .hint { margin-right: auto; }
.picker { border: 1px solid var(--mc-border, #c5ccd8); border-radius: 6px; padding: .5em; display: grid; gap: .4em; }
.picker[hidden] { display: none; }
.picker ul { list-style: none; margin: 0; padding: 0; max-height: 14em; overflow: auto; }
.picker li { padding: .35em .5em; border-radius: 4px; cursor: pointer; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.picker li.active { background: var(--mc-accent-soft, #e3ecff); outline: 2px solid var(--mc-accent, #2456d6); }
.reply .hint { margin: 0; font-size: .85em; }
.context { min-width: 0; padding: .8em 1em; border-top: 1px solid #eceff4; display: none; gap: .7em; align-content: start;
  background: #fafbfd; }
.context.open { display: grid; }
.context-toggle[aria-expanded=true] { background: var(--mc-selected, #e8effb); }
.context h4 { font-size: .95em; }
.context dl { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: .2em .8em; margin: 0; font-size: .92em; }
.context dt { color: var(--mc-muted, #5b6576); }
.context dd { margin: 0; overflow-wrap: anywhere; }
.context .product { display: flex; gap: .8em; align-items: flex-start; }
.context .product > div { min-width: 0; overflow-wrap: anywhere; }
.context img { width: 88px; height: 88px; object-fit: cover; border-radius: 8px; background: #e9edf3; flex: none; }
.context .changes { margin: 0; padding-left: 1.1em; font-size: .9em; }
.context .changes li { overflow-wrap: anywhere; }
.context section { display: grid; gap: .35em; }
.empty-conversation { padding: 2em 1em; color: var(--mc-muted, #5b6576); text-align: center; }
@container (min-width: 1080px) {
  .conversation { grid-template-columns: minmax(0, 1fr) minmax(240px, 300px);
    grid-template-areas: "head head" "dialogue context"; }
  .conv-head { grid-area: head; }
  .dialogue { grid-area: dialogue; }
  .context, .context.open { display: grid; grid-area: context; border-top: 0; border-left: 1px solid #eceff4; min-height: 100%; }
  .context-toggle { display: none; }
}

/* filters */
.filters { padding: .7em 1em; border-bottom: 1px solid var(--mc-border, #d7dce5); display: grid; gap: .6em; }
.searchbar { display: flex; gap: .5em; flex-wrap: wrap; align-items: flex-end; }
.searchbar label { flex: 1 1 12em; }
.filters details > summary { cursor: pointer; font-size: .92em; padding: .2em 0; }
.filter-grid { display: flex; flex-wrap: wrap; gap: .6em 1em; align-items: flex-end; padding-top: .5em; }
.filter-grid .buttons { display: flex; gap: .5em; }

/* tabs and panels */
.tabs { display: flex; flex-wrap: wrap; gap: .3em; padding: .5em 1em 0; border-bottom: 1px solid var(--mc-border, #d7dce5); }
.tabs [role=tab] { border-radius: 6px 6px 0 0; border-bottom: 0; background: #f4f6fa; }
.tabs [role=tab][aria-selected=true] { background: #fff; font-weight: 600; box-shadow: inset 0 3px 0 var(--mc-accent, #1f56b3); }
.panel { padding: 1em; display: grid; gap: 1.2em; }
.panel form { display: grid; gap: .7em; max-width: 40em; }
.panel fieldset { border: 1px solid #e1e5ec; border-radius: 8px; display: grid; gap: .4em; padding: .6em .9em; }
.panel label:not(.check) { display: grid; }
.panel input[type=text], .panel textarea { width: 100%; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92em; }
caption { text-align: left; font-weight: 600; padding-bottom: .4em; }
th, td { text-align: left; padding: .4em .6em; border-bottom: 1px solid #eceff4; }
.panel > .row { display: flex; flex-wrap: wrap; gap: .5em; justify-content: space-between; align-items: center; }
.reviews { list-style: none; margin: 0; padding: 0; display: grid; gap: .8em; }
.review { display: grid; gap: .5em; padding: .8em; border: 1px solid #e1e5ec; border-radius: 8px; }
.review .row { display: flex; flex-wrap: wrap; gap: .5em; justify-content: space-between; align-items: baseline; }
.review .actions { display: flex; flex-wrap: wrap; gap: .5em; }
.held-text { white-space: pre-wrap; overflow-wrap: anywhere; padding: .5em .7em; background: #f7f8fb; border-radius: 6px; }
.held-text mark { background: #ffe08a; color: inherit; border-radius: 3px; padding: 0 .15em; }
.receipt { display: grid; gap: .5em; padding: .8em; border: 1px solid #e1e5ec; border-radius: 8px; }
.receipt .row { display: flex; flex-wrap: wrap; gap: .5em; justify-content: space-between; align-items: center; }

/* notifications */
.bell { position: relative; }
.bell > button { display: inline-flex; align-items: center; gap: .35em; }
.icon { width: 1.2em; height: 1.2em; }
.bell-panel { position: absolute; right: 0; top: calc(100% + 4px); z-index: 10; width: min(22em, 90vw); max-height: 24em;
  overflow: auto; background: #fff; border: 1px solid var(--mc-border, #d7dce5); border-radius: 8px;
  box-shadow: 0 8px 24px rgba(20, 30, 50, .15); padding: .5em; }
.bell-panel ul { list-style: none; margin: 0; padding: 0; }
.bell-panel li button { width: 100%; text-align: left; border: 0; display: grid; gap: .1em; }
.bell-panel li, .bell-panel li * { overflow-wrap: anywhere; min-width: 0; }
.bell-panel li.unread button { font-weight: 600; }

/* asking */
.ask { display: inline-block; }
dialog { border: 0; border-radius: 12px; padding: 0; width: min(32em, calc(100vw - 1.5em)); box-shadow: 0 12px 40px rgba(20, 30, 50, .3); }
dialog::backdrop { background: rgba(15, 20, 30, .45); }
dialog form, dialog .sent { display: grid; gap: .7em; padding: 1.2em; }
dialog .actions { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: .5em; }

/* files */
.file-picker { display: grid; gap: .3em; justify-items: start; }
.file-picker .files { list-style: none; margin: 0; padding: 0; display: grid; gap: .3em; width: 100%; }
.file-picker .files li { display: flex; flex-wrap: wrap; gap: .4em; align-items: center; overflow-wrap: anywhere; }
.file-picker progress { width: 6em; }
.dropping { outline: 2px dashed var(--mc-accent, #1a73e8); outline-offset: 4px; }
.attachments { list-style: none; margin: .4em 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: .5em; }
.attachments img { display: block; max-width: 160px; max-height: 160px; border-radius: 6px; }
.attachments a { overflow-wrap: anywhere; }

/* the administration's settings (settings-screen.js) */
.settings { max-width: 52em; }
.settings-section { display: grid; gap: .7em; padding: 1em; border: 1px solid #e1e5ec; border-radius: 8px; }
.settings .settings-fields { display: grid; gap: .8em; }
.settings .settings-field { display: grid; gap: .25em; max-width: 36em; }
.settings .settings-field label { font-weight: 600; }
.settings .settings-row { display: flex; flex-wrap: wrap; gap: .6em 1em; align-items: flex-end; }
.settings .settings-row .settings-field { flex: 1 1 9em; }
.settings input[type=number], .settings input[type=url] { border: 1px solid var(--mc-border, #c5ccd8); border-radius: 6px;
  padding: .45em .6em; background: #fff; min-width: 0; max-width: 100%; }
.settings input[type=url] { width: 100%; }
.settings input[aria-invalid=true], .settings textarea[aria-invalid=true], .settings select[aria-invalid=true],
.settings fieldset[aria-invalid=true] { border-color: var(--mc-danger, #b42318); box-shadow: 0 0 0 1px var(--mc-danger, #b42318); }
.settings .field-error { font-size: .9em; }
.settings .buttons { display: flex; flex-wrap: wrap; gap: .5em; }
.settings .note { color: #1a7f37; font-weight: 600; overflow-wrap: anywhere; }
.settings .rules td, .settings .rules th { vertical-align: middle; }
.settings .rules th.kind { background: #f4f6fa; padding-top: .6em; }
.settings .rules tbody th[scope=row] { font-weight: 400; padding-left: 1.2em; }
.settings .rules input { width: 1.2em; height: 1.2em; }
.settings .webhooks { list-style: none; margin: 0; padding: 0; display: grid; gap: .6em; }
.settings .webhook { display: grid; gap: .3em; padding: .6em .8em; border: 1px solid #e1e5ec; border-radius: 6px; }
.settings .webhook-url, .settings .secret { overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: .92em; }

/* the saved replies' manager and the reply box's button (saved-replies-panel.js, reply-picker.js) */
.saved-replies { padding: .5em 1em; border-bottom: 1px solid var(--mc-border, #d7dce5); }
.saved-content { display: grid; gap: 1em; padding: .6em 0 .4em; max-width: 44em; }
.saved-replies form { display: grid; gap: .6em; padding: .8em; border: 1px solid #e1e5ec; border-radius: 8px; background: #fafbfd; }
.saved-replies .field { display: grid; gap: .25em; }
.saved-replies .field label { display: block; font-weight: 600; }
.saved-replies input[type=text], .saved-replies textarea { width: 100%; }
.saved-replies input[type=datetime-local] { border: 1px solid var(--mc-border, #c5ccd8); border-radius: 6px; padding: .4em .6em;
  max-width: 100%; }
.saved-replies form > label { display: grid; }
.saved-replies [aria-invalid=true] { border-color: var(--mc-danger, #b42318); box-shadow: 0 0 0 1px var(--mc-danger, #b42318); }
.saved-replies .buttons { display: flex; flex-wrap: wrap; gap: .5em; }
.saved-replies .note { color: #1a7f37; font-weight: 600; }
.saved-list { list-style: none; margin: 0; padding: 0; display: grid; gap: .5em; }
.saved-reply { display: grid; gap: .3em; padding: .6em .8em; border: 1px solid #e1e5ec; border-radius: 8px; }
.saved-reply .saved-head { display: flex; flex-wrap: wrap; gap: .2em .8em; align-items: baseline; justify-content: space-between; }
.saved-reply .saved-title { overflow-wrap: anywhere; }
.saved-reply .saved-body { white-space: pre-wrap; overflow-wrap: anywhere; color: var(--mc-muted, #5b6576); font-size: .92em;
  display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
.saved-reply form { padding: 0; border: 0; background: none; }
.saved-reply .buttons button { min-height: 2.2em; padding: .3em .8em; }
.picker-bar { display: flex; flex-wrap: wrap; gap: .3em .8em; align-items: center; }
.picker-open { min-height: 2.4em; }

.attachments .thumb { padding: 0; border: 0; min-height: 0; background: none; border-radius: 6px; cursor: zoom-in; }

/* the image viewer */
dialog.viewer { width: min(60em, calc(100vw - 1em)); max-height: calc(100dvh - 1em); background: #14181f; color: #fff;
  padding: .6em; display: none; }
dialog.viewer[open] { display: grid; grid-template-rows: auto minmax(0, 1fr) auto; gap: .5em; }
.viewer-head, .viewer-foot { display: flex; flex-wrap: wrap; gap: .5em; align-items: center; justify-content: space-between; }
.viewer-head h2 { font-size: 1em; overflow-wrap: anywhere; min-width: 0; }
.viewer figure { margin: 0; min-height: 0; display: grid; place-items: center; }
.viewer figure img { max-width: 100%; max-height: calc(100dvh - 9em); object-fit: contain; }
.viewer .muted { color: #c9d1dd; }
.viewer a { color: #9cc2ff; }
.viewer button:not(.primary) { background: #262c36; color: #fff; border-color: #4a5363; }
/* starting a conversation, and the vendor picker (start-conversation.js) */
.head .start { margin-left: auto; }
.my-data-bar { display: flex; flex-wrap: wrap; align-items: center; gap: .5em; margin-left: auto; }
.erasure-counts table { border-collapse: collapse; }
.erasure-counts th, .erasure-counts td { text-align: left; padding: .2em .8em .2em 0; }
.vendor-picker { position: relative; display: grid; gap: .2em; }
.vendor-picker label { font-size: .92em; }
.vendor-picker input { width: 100%; }
.picker-options { list-style: none; margin: 0; padding: .2em 0; position: absolute; top: 100%; left: 0; right: 0; z-index: 5;
  background: #fff; border: 1px solid var(--mc-border, #c5ccd8); border-radius: 6px; max-height: 16em; overflow-y: auto;
  box-shadow: 0 6px 18px rgba(20, 30, 50, .15); }
.picker-options li { padding: .45em .7em; cursor: pointer; overflow-wrap: anywhere; }
.picker-options li[aria-selected=true] { background: var(--mc-accent, #1f56b3); color: #fff; }
.picker-options li[aria-selected=true] .muted { color: inherit; }
.chips { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .4em; }
.chips li { display: inline-flex; align-items: center; gap: .3em; padding: .15em .3em .15em .7em; border-radius: 999px;
  background: var(--mc-hover, #f1f4f9); border: 1px solid var(--mc-border, #c5ccd8); overflow-wrap: anywhere; }
.chips button.link { min-width: 1.8em; min-height: 1.8em; text-decoration: none; font-size: 1.1em; }
.audience-count { font-weight: 600; }
.start-dialog fieldset { border: 1px solid #e1e5ec; border-radius: 8px; display: grid; gap: .4em; padding: .6em .9em; }
.start-dialog .route-part { display: grid; gap: .35em; }
.start-dialog .row { display: flex; gap: .5em; flex-wrap: wrap; }
.start-dialog .row input { flex: 1 1 8em; }
.start-dialog input[type=text] { width: 100%; }
.start-dialog .row input[type=text] { width: auto; }
/* who is who: the vendor's logo on the customer's conversations */
.conv-head .party { flex-basis: 100%; display: flex; flex-wrap: wrap; align-items: center; gap: .4em .9em; color: var(--mc-muted, #5b6576); font-size: .9em; overflow-wrap: anywhere; }
.conv-head .party .with { display: inline-flex; align-items: center; gap: .4em; }
.conv-head .party .vendor-logo { width: 24px; height: 24px; object-fit: contain; border-radius: 4px; }
.thread-open .vendor-logo { width: 24px; height: 24px; object-fit: contain; border-radius: 4px; margin-right: .4em; vertical-align: middle; }
`;
