'use strict';
// Garbage collection before the measured window, without command-line flags (runners/README.md,
// "Measurement rules"; Python calls gc.collect(), Go runtime.GC()). V8 only exposes gc() to
// contexts created after --expose-gc is set, so the flag is set at start-up and gc() is taken from
// a fresh vm context. If any of this fails (another Node version, a hardened V8 build), gc is null:
// the runner skips the collection and records memory.runtime.gc_before_window = false.

const v8 = require('node:v8');
const vm = require('node:vm');

/** The V8 gc() function, or null when it cannot be obtained. */
function obtainGc() {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('typeof gc === "function" ? gc : null');
    return typeof gc === 'function' ? gc : null;
  } catch {
    return null;
  }
}

const gc = obtainGc(); // at start-up: this module is loaded before anything is measured

/** Run a full, synchronous collection; true when it ran. */
function collectGarbage(collector = gc) {
  if (typeof collector !== 'function') return false;
  try {
    collector();
    return true;
  } catch {
    return false;
  }
}

module.exports = { collectGarbage, obtainGc };
