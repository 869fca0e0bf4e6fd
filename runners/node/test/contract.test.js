'use strict';
// The runner keeps schema/runner_contract.json: approaches, options, exit codes, error kinds,
// schema_version. The contract is the one owner of these facts; this file replays it against the
// runner's own parser and constants the way the other tests replay the shared vector files, so a
// change on either side fails here until the other side follows.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  ALL_APPROACHES, APPROACHES_BY_WORKLOAD, DEFAULTS, OPTIONS: FLAGS, parseArgs,
} = require('../lib/args');
const { ERROR_KINDS } = require('../lib/error-kind');
const { EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE } = require('../lib/exit-codes');
const { SCHEMA_VERSION, workloadBlock } = require('../lib/result');
const { validate } = require('../test-support/schema-subset');
const {
  REPO_ROOT, SCHEMA_PATH, loadContract, loadSchema, runRunner,
} = require('../test-support/run-runner');

const LANGUAGE = 'node';
const CONTRACT = loadContract();
const LANGUAGES = CONTRACT.languages;
const OWN_APPROACHES = LANGUAGES[LANGUAGE].approaches;
const WORKLOADS = CONTRACT.workloads;
const OPTIONS = CONTRACT.options;

// [approach, workload] pairs the contract lists for this language, and the pairs it does not.
const ACCEPTED = Object.entries(OWN_APPROACHES)
  .flatMap(([approach, spec]) => spec.workloads.map((workload) => [approach, workload]));
const REFUSED = Object.entries(OWN_APPROACHES).flatMap(([approach, spec]) => Object.keys(WORKLOADS)
  .filter((workload) => !spec.workloads.includes(workload)).map((workload) => [approach, workload]));
// Approaches only other languages have: this runner must refuse them for every workload.
const FOREIGN = [...new Set(Object.entries(LANGUAGES)
  .filter(([name]) => name !== LANGUAGE)
  .flatMap(([, language]) => Object.keys(language.approaches))
  .filter((approach) => !Object.hasOwn(OWN_APPROACHES, approach)))]
  .flatMap((approach) => Object.keys(WORKLOADS).map((workload) => [approach, workload]));
// Options that size one approach's pool (pool_size, workers): recorded only for that approach.
const SIZING_OPTIONS = new Set(Object.values(LANGUAGES)
  .flatMap((language) => Object.values(language.approaches))
  .filter((spec) => spec.sized_by !== undefined).map((spec) => spec.sized_by));
// Options no workload lists and no approach is sized by (tasks): recorded for every case.
const WORKLOAD_OPTIONS = new Set(Object.values(WORKLOADS).flatMap((spec) => spec.options));
const COMMON_OPTIONS = new Set(Object.keys(OPTIONS)
  .filter((option) => !SIZING_OPTIONS.has(option) && !WORKLOAD_OPTIONS.has(option)));

function caseArgs(approach, workload) {
  return ['--workload', workload, '--approach', approach];
}

// Any valid case: the base command line of the option checks.
const BASE_ARGS = caseArgs(...ACCEPTED[0]);

/** The options key the runner stores a contract option under (its own camelCase name). */
function keyOf(option) {
  const flag = FLAGS[OPTIONS[option].flag];
  assert.ok(flag !== undefined, `the runner has no flag ${OPTIONS[option].flag} for option ${option}`);
  return flag.key;
}

/** A usage error per the contract: its usage exit code, empty stdout, one stderr line naming `named`. */
function assertRefused(args, named) {
  const result = runRunner(args, { timeoutMs: 60000 });
  assert.equal(result.status, CONTRACT.exit_codes.usage, result.stderr);
  assert.equal(result.stdout, '');
  const lines = result.stderr.split('\n');
  assert.equal(lines.length, 2, `stderr is not exactly one line: ${JSON.stringify(result.stderr)}`);
  assert.equal(lines[1], '');
  assert.ok(lines[0].startsWith('runner: error: '), lines[0]);
  assert.ok(lines[0].includes(named), `${lines[0]} does not name ${named}`);
}

test('the contract has this runner', () => {
  const here = path.relative(REPO_ROOT, path.join(__dirname, '..')).split(path.sep).join('/');
  assert.equal(LANGUAGES[LANGUAGE].source_dir, here);
  assert.ok(ACCEPTED.length > 0);
});

test('workloads are the contract\'s', () => {
  assert.deepEqual(Object.keys(APPROACHES_BY_WORKLOAD).sort(), Object.keys(WORKLOADS).sort());
});

for (const workload of Object.keys(WORKLOADS)) {
  test(`approaches of the ${workload} workload are the contract's`, () => {
    const listed = Object.entries(OWN_APPROACHES)
      .filter(([, spec]) => spec.workloads.includes(workload)).map(([approach]) => approach);
    assert.deepEqual([...APPROACHES_BY_WORKLOAD[workload]].sort(), listed.sort());
  });
}

test('all approaches are the contract\'s', () => {
  assert.deepEqual([...ALL_APPROACHES].sort(), Object.keys(OWN_APPROACHES).sort());
});

for (const [approach, workload] of ACCEPTED) {
  test(`approach ${approach} is accepted for ${workload}`, () => {
    const options = parseArgs(caseArgs(approach, workload));
    assert.deepEqual([options.approach, options.workload], [approach, workload]);
  });
}

for (const [approach, workload] of REFUSED) {
  test(`approach ${approach} is refused for ${workload}`, () => {
    assertRefused(caseArgs(approach, workload), '--approach');
  });
}

for (const [approach, workload] of FOREIGN) {
  test(`approach ${approach} of another language is refused for ${workload}`, () => {
    assertRefused(caseArgs(approach, workload), '--approach');
  });
}

test('the runner\'s options are the contract\'s', () => {
  const keys = Object.values(FLAGS).map((spec) => spec.key).filter((key) => key !== 'workload' && key !== 'approach');
  assert.deepEqual(keys.sort(), Object.keys(OPTIONS).map(keyOf).sort());
});

for (const [option, spec] of Object.entries(OPTIONS)) {
  test(`option ${option}: default is the contract's`, () => {
    assert.equal(DEFAULTS[keyOf(option)], spec.default);
    assert.equal(parseArgs(BASE_ARGS)[keyOf(option)], spec.default);
  });

  test(`option ${option}: ${spec.flag} sets it`, () => {
    // Not the default, so that a flag wired to another key (or to nothing) cannot pass.
    const value = spec.default + (spec.type === 'integer' ? 1 : 0.5);
    assert.equal(parseArgs([...BASE_ARGS, spec.flag, String(value)])[keyOf(option)], value);
  });

  test(`option ${option}: the contract's minimum is enforced`, () => {
    // The contract's bound as the smallest valid and the largest invalid command-line value.
    const step = spec.type === 'integer' ? 1 : 0.5;
    let accepted;
    let refused;
    if (spec.minimum !== undefined) {
      [accepted, refused] = [spec.minimum, spec.minimum - step];
    } else {
      assert.ok(spec.exclusive_minimum !== undefined, 'every option of the contract has a lower bound');
      [accepted, refused] = [spec.exclusive_minimum + step, spec.exclusive_minimum];
    }
    assert.equal(parseArgs([...BASE_ARGS, spec.flag, String(accepted)])[keyOf(option)], accepted);
    assertRefused([...BASE_ARGS, spec.flag, String(refused)], spec.flag);
    if (spec.type === 'integer') assertRefused([...BASE_ARGS, spec.flag, `${spec.default}.5`], spec.flag);
  });
}

for (const [approach, workload] of ACCEPTED) {
  test(`workload block of ${approach}/${workload} records the options that apply`, () => {
    const options = parseArgs(caseArgs(approach, workload));
    const block = workloadBlock(options);
    const applies = new Set([...COMMON_OPTIONS, ...WORKLOADS[workload].options, OWN_APPROACHES[approach].sized_by]);
    for (const option of Object.keys(OPTIONS)) {
      if (applies.has(option)) {
        assert.equal(block[option], options[keyOf(option)], option);
      } else {
        // runners/README.md: an argument that does not apply is recorded as null (or left out).
        assert.ok(block[option] === null || block[option] === undefined, `${option} = ${block[option]}`);
      }
    }
  });
}

test('SCHEMA_VERSION is the contract\'s', () => {
  assert.equal(SCHEMA_VERSION, CONTRACT.schema_version);
});

test('exit codes are the contract\'s', () => {
  assert.deepEqual({ ok: EXIT_OK, run_failed: EXIT_RUN_FAILED, usage: EXIT_USAGE }, CONTRACT.exit_codes);
});

test('error kinds are runner kinds of the contract', () => {
  assert.ok(ERROR_KINDS.length > 0);
  for (const kind of ERROR_KINDS) assert.ok(Object.hasOwn(CONTRACT.error_kinds.runner, kind), kind);
});

// The composed schema (schema/README.md) is what the other tests validate runner output against:
// each of the seven steps must really constrain a document, or those checks would prove nothing.
const schema = loadSchema();

function validExample(name) {
  const doc = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schema', 'examples', 'valid', name), 'utf8'));
  assert.deepEqual(validate(schema, doc), []);
  return doc;
}

test('composed schema, steps 3 and 5: approaches as schema/README.md says', () => {
  // Steps 3 and 5 overlap (an approach outside step 3's list is outside its language's list too), so
  // no document can tell one from the other: read them off the composed schema instead.
  const every = Object.values(LANGUAGES).flatMap((language) => Object.keys(language.approaches));
  assert.deepEqual(schema.properties.approach.enum, [...new Set(every)]);
  const perLanguage = Object.entries(LANGUAGES).map(([name, language]) => ({
    if: { properties: { language: { const: name } }, required: ['language'] },
    then: { properties: { approach: { enum: Object.keys(language.approaches) } } },
  }));
  const ownAllOf = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')).allOf || [];
  assert.deepEqual(schema.allOf, [...ownAllOf, ...perLanguage]);
});

/** An approach the contract gives some language, but not `language`. */
function approachOfAnotherLanguage(language) {
  return Object.values(LANGUAGES).flatMap((spec) => Object.keys(spec.approaches))
    .find((approach) => !Object.hasOwn(LANGUAGES[language].approaches, approach));
}

for (const [step, field, valueFor] of [
  ['1 schema_version', 'schema_version', () => CONTRACT.schema_version + 1],
  ['2 language', 'language', () => 'cobol'],
  ['3 approach', 'approach', () => 'fibers'],
  ['5 approach of another language', 'approach', (doc) => approachOfAnotherLanguage(doc.language)],
]) {
  test(`composed schema, step ${step}: refuses what the contract does not list`, () => {
    const doc = validExample('ok_io_python_asyncio.json');
    doc[field] = valueFor(doc);
    assert.notDeepEqual(validate(schema, doc), []);
  });
}

test('composed schema, step 4: refuses an unknown error kind', () => {
  const doc = validExample('error_thread_start.json');
  doc.error.kind = 'gremlins';
  assert.notDeepEqual(validate(schema, doc), []);
});
