'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { DEFAULTS, UsageError, parseArgs } = require('../lib/args');
const { runRunner } = require('../test-support/run-runner');

test('defaults and both --name value / --name=value forms', () => {
  const options = parseArgs(['--approach', 'async']);
  assert.equal(options.workload, 'io');
  assert.equal(options.tasks, DEFAULTS.tasks);
  assert.equal(options.ioMs, 10);
  assert.equal(options.workers, 4);
  const cpu = parseArgs(['--repeat=7', '--workload=cpu', '--approach=worker_threads', '--tasks', '3',
    '--payload-bytes', '5', '--workers', '2', '--pool-size', '9']);
  assert.deepEqual(
    [cpu.workload, cpu.approach, cpu.tasks, cpu.payloadBytes, cpu.repeat, cpu.workers, cpu.poolSize],
    ['cpu', 'worker_threads', 3, 5, 7, 2, 9]);
  assert.equal(parseArgs(['--approach', 'async', '--io-ms', '0.5']).ioMs, 0.5);
  assert.equal(parseArgs(['--approach', 'async', '--io-ms', '.25']).ioMs, 0.25);
  assert.equal(parseArgs(['--tasks', '5', '--help']).help, true);
});

const BAD = [
  { args: ['--approach', 'async', '--tasks', '0'], names: '--tasks' },
  { args: ['--approach', 'async', '--tasks', '-5'], names: '--tasks' },
  { args: ['--approach', 'async', '--tasks', 'abc'], names: '--tasks' },
  { args: ['--approach', 'async', '--tasks', '1.5'], names: '--tasks' },
  { args: ['--approach', 'async', '--tasks', '1e3'], names: '--tasks' },
  { args: ['--approach', 'async', '--tasks'], names: '--tasks' },
  { args: ['--tasks', '--approach', 'async'], names: '--tasks' },
  { args: ['--approach', 'async', '--tasks='], names: '--tasks' },
  { args: ['--approach', 'bogus'], names: '--approach' },
  { args: ['--approach', 'asyncio'], names: '--approach' },
  { args: ['--workload', 'io', '--approach', 'worker_threads'], names: '--approach' },
  { args: ['--workload', 'cpu', '--approach', 'async'], names: '--approach' },
  { args: [], names: '--approach' },
  { args: ['--approach'], names: '--approach' },
  { args: ['--workload', 'gpu', '--approach', 'async'], names: '--workload' },
  { args: ['--approach', 'async', '--io-ms', '0'], names: '--io-ms' },
  { args: ['--approach', 'async', '--io-ms', '-1'], names: '--io-ms' },
  { args: ['--approach', 'async', '--io-ms', 'NaN'], names: '--io-ms' },
  { args: ['--approach', 'async', '--io-ms', '1e12'], names: '--io-ms' },
  { args: ['--workload', 'cpu', '--approach', 'worker_threads', '--workers', '0'], names: '--workers' },
  { args: ['--approach', 'async', '--payload-bytes', 'x'], names: '--payload-bytes' },
  { args: ['--approach', 'async', '--repeat', '-1'], names: '--repeat' },
  { args: ['--workload', 'cpu-loop', '--approach', 'worker_threads', '--loop-bytes', '0'], names: '--loop-bytes' },
  { args: ['--workload', 'cpu-loop', '--approach', 'async'], names: '--approach' },
  { args: ['--approach', 'async', '--pool-size', '0'], names: '--pool-size' },
  { args: ['--approach', 'async', '--frobnicate', '1'], names: '--frobnicate' },
  { args: ['--approach', 'async', 'stray'], names: 'stray' },
  { args: ['--approach', 'async', '--tasks', 'a\nb'], names: '--tasks' },
];

for (const { args, names } of BAD) {
  test(`parseArgs rejects ${JSON.stringify(args)}`, () => {
    assert.throws(() => parseArgs(args), (error) => {
      assert.ok(error instanceof UsageError);
      assert.ok(error.message.includes(names), error.message);
      assert.ok(!error.message.includes('\n'), 'one line');
      return true;
    });
  });
}

// The process-level contract for the cases the brief names (spawning is slower, so a subset).
const SPAWNED = [
  ['--approach', 'async', '--tasks', '0'],
  ['--approach', 'async', '--tasks', '-5'],
  ['--approach', 'async', '--tasks', 'abc'],
  ['--approach', 'async', '--tasks', '1.5'],
  ['--approach', 'async', '--tasks'],
  ['--approach', 'bogus'],
  ['--workload', 'io', '--approach', 'worker_threads'],
  ['--approach', 'async', '--tasks', 'a\nb'],
];

for (const args of SPAWNED) {
  test(`runner exits 2 with one stderr line for ${JSON.stringify(args)}`, () => {
    const result = runRunner(args);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stdout, '');
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], /^runner: error: /);
    const named = args.includes('bogus') || args.includes('worker_threads') ? '--approach' : '--tasks';
    assert.ok(lines[0].includes(named), lines[0]);
  });
}

test('the brief\'s example message, verbatim', () => {
  const result = runRunner(['--approach', 'async', '--tasks', 'abc']);
  assert.equal(result.stderr, "runner: error: --tasks: expected an integer >= 1, got 'abc'\n");
});

test('--help: usage on stderr, exit 0, empty stdout', () => {
  const result = runRunner(['--help']);
  assert.equal(result.status, 0);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^usage: /);
  assert.match(result.stderr, /--approach/);
});
