// The module graph as the gateway serves it: relative imports of files that exist, names they
// export, an entry without logic of its own (the caching scheme counts on it), and every
// module loading, the three elements defined, with the browser's globals stubbed.
import assert from 'node:assert/strict';
import {readFileSync, readdirSync} from 'node:fs';
import {test} from 'node:test';

import {STATIC, STATIC_URL} from './paths.mjs';

const FILES = readdirSync(STATIC).filter((name) => name.endsWith('.js')).sort();
const source = (name) => readFileSync(`${STATIC}/${name}`, 'utf8');
const IMPORT = /^(?:import|export)\s+(?:\{([^}]*)\}\s+from\s+|[\w*\s,{}]+from\s+)?'([^']+)';$/gm;

function importsOf(name) {
  return [...source(name).matchAll(IMPORT)].map((match) => ({
    names: (match[1] || '').split(',').map((item) => item.trim().split(/\s+as\s+/)[0]).filter(Boolean),
    specifier: match[2],
  }));
}

test('every import is a relative ./name.js of a module beside it, of a name it exports', () => {
  for (const file of FILES) {
    // One statement a line, so that none escapes this test (nor the gateway's rewriting of the entry).
    assert.equal(importsOf(file).length, (source(file).match(/\bfrom\s+['"]|^import\s*['"]/gm) || []).length, file);
    for (const {names, specifier} of importsOf(file)) {
      assert.match(specifier, /^\.\/[a-z0-9][a-z0-9-]*\.js$/, `${file}: ${specifier}`);
      const target = specifier.slice(2);
      assert.ok(FILES.includes(target), `${file} imports ${target}, which is not in gateway/static`);
      for (const name of names) {
        assert.match(source(target), new RegExp(`^export (?:async function|function|class|const) ${name}\\b`, 'm'),
          `${file} imports ${name} from ${target}, which does not export it`);
      }
    }
  }
});

test('the entry only imports and re-exports: all logic is in the versioned modules', () => {
  const code = source('message-center.js').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const statements = code.split('\n').map((line) => line.trim()).filter(Boolean);
  assert.ok(statements.length >= 5);
  for (const line of statements) assert.match(line, /^export \{[\w, ]+\} from '\.\/[a-z0-9-]+\.js';$/, line);
});

test('the modules load, define the three elements once, and export what pages use', async () => {
  const defined = new Map();
  globalThis.HTMLElement = class {};
  globalThis.customElements = {
    get: (name) => defined.get(name),
    define: (name, element) => {
      assert.ok(!defined.has(name), `${name} defined twice`);
      defined.set(name, element);
    },
  };
  const entry = await import(`${STATIC_URL}/message-center.js`);
  assert.deepEqual([...defined.keys()].sort(), ['mc-ask-question', 'mc-message-center', 'mc-messages']);
  assert.equal(defined.get('mc-ask-question'), entry.AskQuestion);
  assert.equal(defined.get('mc-messages'), entry.Messages);
  assert.equal(defined.get('mc-message-center'), entry.MessageCenter);
  assert.deepEqual(Object.keys(entry).sort(), ['ApiError', 'AskQuestion', 'MessageCenter', 'Messages', 'STRINGS', 't']);
  for (const file of FILES) await import(`${STATIC_URL}/${file}`); // each loads by itself too
});
