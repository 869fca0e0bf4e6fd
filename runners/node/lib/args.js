'use strict';
// Command-line parsing for the Node runner, per runners/README.md ("Arguments", "Exit codes").
// Hand-written rather than util.parseArgs so that every usage error is ONE stderr line that names
// the bad argument, identically on Node 18 and 20.

// What this runner implements, per workload; test/contract.test.js checks it against this
// language's approaches in schema/runner_contract.json, both ways.
const APPROACHES_BY_WORKLOAD = Object.freeze({
  io: Object.freeze(['async']),
  cpu: Object.freeze(['worker_threads']),
  'cpu-loop': Object.freeze(['worker_threads']),
  mixed: Object.freeze(['async', 'async-workers']),
});
const ALL_APPROACHES = Object.freeze(['async', 'worker_threads', 'async-workers']);

// Node clamps any setTimeout delay above this to 1 ms, which would silently change the workload.
const MAX_IO_MS = 2147483647;

// The contract's option defaults, keyed by OPTIONS[flag].key; test/contract.test.js checks them.
const DEFAULTS = Object.freeze({
  workload: 'io',
  approach: null,
  tasks: 1000,
  ioMs: 10,
  poolSize: 50,
  workers: 4,
  payloadBytes: 64,
  repeat: 10000,
  loopBytes: 16384,
});

const USAGE = `usage: node runners/node/runner.js --approach NAME [options]

Runs one measured concurrency benchmark and prints one JSON document (schema/result.schema.json)
on stdout. Every option is "--name value" or "--name=value".

  --workload io|cpu|cpu-loop|mixed
                          io: each task waits --io-ms; cpu: each task hashes a payload with sha256;
                          cpu-loop: each task hashes a payload with FNV-1a in JavaScript;
                          mixed: each task waits --io-ms, then does cpu-loop's work (default io)
  --approach NAME         io: async; cpu, cpu-loop: worker_threads; mixed: async, async-workers
                          (required)
  --tasks N               number of tasks, integer >= 1 (default 1000)
  --io-ms D               io, mixed: wait per task in ms, number > 0 (default 10)
  --pool-size N           threadpool only (not a Node approach): accepted and recorded as null (default 50)
  --workers N             worker_threads, async-workers: pool workers, integer >= 1 (default 4)
  --payload-bytes B       cpu only: size of the base payload (default 64)
  --repeat R              cpu only: payload repetitions before hashing (default 10000)
  --loop-bytes L          cpu-loop, mixed: bytes each task hashes, integer >= 1 (default 16384)
  --help                  this text on stderr, exit 0

exit codes: 0 ok, 1 status error (JSON still printed), 2 usage error (stdout empty)
`;

class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

// Quote a user-supplied value for the one-line error message: control characters are escaped so
// that the message can never span two lines.
function quote(value) {
  const escaped = String(value).replace(/[\u0000-\u001f\u007f\\']/g, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    if (ch === '\\') return '\\\\';
    if (ch === "'") return "\\'";
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `'${escaped}'`;
}

function parsePositiveInteger(flag, raw) {
  if (!/^[0-9]+$/.test(raw)) {
    throw new UsageError(`${flag}: expected an integer >= 1, got ${quote(raw)}`);
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag}: expected an integer >= 1, got ${quote(raw)}`);
  }
  return value;
}

function parseIoMs(flag, raw) {
  // Decimal notation only ("10", "0.5", ".5", "1e1"); no signs, no hex, no Infinity/NaN.
  if (!/^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(raw)) {
    throw new UsageError(`${flag}: expected a number > 0, got ${quote(raw)}`);
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag}: expected a number > 0, got ${quote(raw)}`);
  }
  if (value > MAX_IO_MS) {
    throw new UsageError(`${flag}: expected a number <= ${MAX_IO_MS} (setTimeout's limit), got ${quote(raw)}`);
  }
  return value;
}

function parseWorkload(flag, raw) {
  if (!Object.prototype.hasOwnProperty.call(APPROACHES_BY_WORKLOAD, raw)) {
    throw new UsageError(`${flag}: expected one of ${Object.keys(APPROACHES_BY_WORKLOAD).join(', ')}, ` +
      `got ${quote(raw)}`);
  }
  return raw;
}

function parseApproach(flag, raw) {
  if (raw === '') {
    throw new UsageError(`${flag}: expected one of ${ALL_APPROACHES.join(', ')}, got ''`);
  }
  return raw;
}

// Every flag and the options key it sets; test/contract.test.js finds each contract flag here.
const OPTIONS = Object.freeze({
  '--workload': { key: 'workload', parse: parseWorkload },
  '--approach': { key: 'approach', parse: parseApproach },
  '--tasks': { key: 'tasks', parse: parsePositiveInteger },
  '--io-ms': { key: 'ioMs', parse: parseIoMs },
  '--pool-size': { key: 'poolSize', parse: parsePositiveInteger },
  '--workers': { key: 'workers', parse: parsePositiveInteger },
  '--payload-bytes': { key: 'payloadBytes', parse: parsePositiveInteger },
  '--repeat': { key: 'repeat', parse: parsePositiveInteger },
  '--loop-bytes': { key: 'loopBytes', parse: parsePositiveInteger },
});

/**
 * Parse argv (without the node binary and script path).
 * Returns { help: true } for --help, otherwise the options object; throws UsageError.
 */
function parseArgs(argv) {
  if (argv.includes('--help') || argv.includes('-h')) {
    return { help: true };
  }
  const options = { help: false, ...DEFAULTS };
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index];
    if (!token.startsWith('-')) {
      throw new UsageError(`unexpected argument ${quote(token)} (options are --name value)`);
    }
    const eq = token.indexOf('=');
    const flag = eq === -1 ? token : token.slice(0, eq);
    const spec = Object.prototype.hasOwnProperty.call(OPTIONS, flag) ? OPTIONS[flag] : undefined;
    if (spec === undefined) {
      throw new UsageError(`${quote(flag).slice(1, -1)}: unknown argument (see --help)`);
    }
    let raw;
    if (eq !== -1) {
      raw = token.slice(eq + 1);
    } else {
      const next = argv[index + 1];
      // "-5" is a (bad) value; "--io-ms" is the next option, so the value is missing.
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`${flag}: missing value`);
      }
      raw = next;
      index += 1;
    }
    options[spec.key] = spec.parse(flag, raw);
  }

  if (options.approach === null) {
    const byWorkload = Object.entries(APPROACHES_BY_WORKLOAD)
      .map(([workload, approaches]) => `${workload}: ${approaches.join(', ')}`).join('; ');
    throw new UsageError(`--approach: required (${byWorkload})`);
  }
  if (!ALL_APPROACHES.includes(options.approach)) {
    throw new UsageError(`--approach: unknown approach ${quote(options.approach)} ` +
      `(expected one of ${ALL_APPROACHES.join(', ')})`);
  }
  const valid = APPROACHES_BY_WORKLOAD[options.workload];
  if (!valid.includes(options.approach)) {
    throw new UsageError(`--approach: ${quote(options.approach)} does not apply to --workload ` +
      `${options.workload} (expected ${valid.join(', ')})`);
  }
  return options;
}

function formatUsageError(error) {
  return `runner: error: ${error.message}`;
}

module.exports = {
  ALL_APPROACHES,
  APPROACHES_BY_WORKLOAD,
  DEFAULTS,
  MAX_IO_MS,
  OPTIONS,
  USAGE,
  UsageError,
  formatUsageError,
  parseArgs,
};
