'use strict';
// Garbage collection before the window without command-line flags (runners/README.md,
// "Measurement rules"): gc() via v8.setFlagsFromString + a new vm context, degrading gracefully.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { collectGarbage, obtainGc } = require('../lib/gc');
const { RUNNER } = require('../test-support/run-runner');

const IO_ARGS = ['--workload', 'io', '--approach', 'async', '--tasks', '5', '--io-ms', '1'];

function runDocument(nodeArgs) {
  const child = spawnSync(process.execPath, [...nodeArgs, RUNNER, ...IO_ARGS],
    { encoding: 'utf8', timeout: 60000 });
  if (child.error) throw child.error;
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

test('gc() can be obtained without command-line flags on this Node', () => {
  assert.equal(typeof obtainGc(), 'function');
  assert.equal(collectGarbage(), true);
});

test('collectGarbage degrades gracefully when gc is missing or fails', () => {
  assert.equal(collectGarbage(null), false);
  assert.equal(collectGarbage(() => { throw new Error('boom'); }), false);
});

test('the runner collects garbage before the window: memory.runtime.gc_before_window is true', () => {
  const doc = runDocument([]);
  assert.equal(doc.status, 'ok');
  assert.equal(doc.memory.runtime.gc_before_window, true);
});

test('without gc() the run still succeeds and records gc_before_window false', () => {
  const doc = runDocument(['--require', path.join(__dirname, '..', 'test-support', 'no-gc.js')]);
  assert.equal(doc.status, 'ok');
  assert.equal(doc.memory.runtime.gc_before_window, false);
});
