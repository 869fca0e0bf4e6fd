#!/usr/bin/env node
'use strict';
// The io task alone, for bench/bookkeeping.py: what the runner's task costs without the runner.
// Same command line shape as runners/node/runner.js (--approach async, --tasks N, --io-ms D) and the
// same task body (an async function awaiting a Promise around setTimeout, then Promise.all), nothing
// else: no stamps, no window, no document. Written for bench/, never shipped in an image.
//   node bench/bare/bare.js --approach async --tasks 100000 --io-ms 10000

function option(argv, name, fallback) {
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === name) return argv[i + 1];
    if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1);
  }
  return fallback;
}

async function ioTask(ioMs) {
  await new Promise((resolve) => {
    setTimeout(resolve, ioMs);
  });
}

function main(argv) {
  const approach = option(argv, '--approach', 'async');
  if (approach !== 'async') {
    process.stderr.write(`bare: error: --approach: only async, got '${approach}'\n`);
    process.exitCode = 2;
    return;
  }
  const tasks = Number(option(argv, '--tasks', '1000'));
  const ioMs = Number(option(argv, '--io-ms', '10'));
  const pending = new Array(tasks);
  for (let index = 0; index < tasks; index += 1) {
    pending[index] = ioTask(ioMs);
  }
  Promise.all(pending).then(() => {
    process.exitCode = 0;
  });
}

main(process.argv.slice(2));
