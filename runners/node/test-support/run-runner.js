'use strict';
// Spawns runner.js with the current node binary and parses its streams.

const path = require('node:path');
const { spawnSync } = require('node:child_process');

const RUNNER = path.join(__dirname, '..', 'runner.js');
const REPO_ROOT = path.join(__dirname, '..', '..', '..');
const SCHEMA_PATH = path.join(REPO_ROOT, 'schema', 'result.schema.json');

function runRunner(args, { timeoutMs = 120000 } = {}) {
  const child = spawnSync(process.execPath, [RUNNER, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.error) throw child.error;
  return { status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr };
}

/** Run and require exactly one JSON document on stdout; returns { status, doc, stderr }. */
function runJson(args, options) {
  const result = runRunner(args, options);
  const text = result.stdout;
  if (!text.endsWith('\n') || text.trimEnd().includes('\n')) {
    throw new Error(`stdout is not one JSON line (exit ${result.status}): ${text.slice(0, 500)}\nstderr: ${result.stderr}`);
  }
  return { status: result.status, doc: JSON.parse(text), stderr: result.stderr };
}

module.exports = { REPO_ROOT, RUNNER, SCHEMA_PATH, runJson, runRunner };
