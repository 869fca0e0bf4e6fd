'use strict';
// Spawns runner.js with the current node binary and parses its streams; loads the contract and the
// result schema composed with it, which is what runner output is validated against.

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const RUNNER = path.join(__dirname, '..', 'runner.js');
const REPO_ROOT = path.join(__dirname, '..', '..', '..');
const SCHEMA_PATH = path.join(REPO_ROOT, 'schema', 'result.schema.json');
const CONTRACT_PATH = path.join(REPO_ROOT, 'schema', 'runner_contract.json');

/** schema/runner_contract.json: the one owner of languages, approaches, options, error kinds, exit codes. */
function loadContract() {
  return JSON.parse(fs.readFileSync(CONTRACT_PATH, 'utf8'));
}

/**
 * The result schema with what the contract owns filled in: schema/README.md's seven steps, in order.
 * result.schema.json leaves these enums out so that it cannot disagree with the contract; validating
 * against it alone would accept any language, approach, error kind or schema_version.
 */
function composeSchema(schema, contract) {
  const composed = structuredClone(schema);
  const { properties } = composed;
  const languages = Object.entries(contract.languages);
  // 1. the current schema_version.
  properties.schema_version.const = contract.schema_version;
  // 2. the languages, in file order.
  properties.language.enum = languages.map(([name]) => name);
  // 3. every language's approaches, in file order, each name once.
  properties.approach.enum = [...new Set(languages.flatMap(([, language]) => Object.keys(language.approaches)))];
  // 4. runner error kinds, then orchestrator error kinds.
  properties.error.oneOf[1].properties.kind.enum = [
    ...Object.keys(contract.error_kinds.runner), ...Object.keys(contract.error_kinds.orchestrator),
  ];
  // 5. per language, only that language's approaches.
  composed.allOf = [...(composed.allOf || []), ...languages.map(([name, language]) => ({
    if: { properties: { language: { const: name } }, required: ['language'] },
    then: { properties: { approach: { enum: Object.keys(language.approaches) } } },
  }))];
  const workloads = Object.entries(contract.workloads);
  const { workload } = properties;
  // 6. the workloads, in file order.
  workload.properties.kind.enum = workloads.map(([name]) => name);
  // 7. per workload, its options are required.
  workload.allOf = [...(workload.allOf || []), ...workloads.map(([name, spec]) => ({
    if: { properties: { kind: { const: name } }, required: ['kind'] },
    then: { required: spec.options },
  }))];
  return composed;
}

/** schema/result.schema.json composed with schema/runner_contract.json (schema/README.md). */
function loadSchema() {
  return composeSchema(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')), loadContract());
}

/** Runs runner.js with `args`; with `raw`, `args` is the whole node command line (flags, script, args). */
function runRunner(args, { timeoutMs = 120000, raw = false } = {}) {
  const child = spawnSync(process.execPath, raw ? args : [RUNNER, ...args], {
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

module.exports = {
  CONTRACT_PATH, REPO_ROOT, RUNNER, SCHEMA_PATH, composeSchema, loadContract, loadSchema, runJson, runRunner,
};
