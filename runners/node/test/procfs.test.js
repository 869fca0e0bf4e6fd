'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const procfs = require('../lib/procfs');

const SAMPLE = 'Name:\tnode\nVmPeak:\t  1016508 kB\nVmHWM:\t   51964 kB\nVmRSS:\t   43852 kB\n' +
  'Threads:\t7\nCpus_allowed_list:\t0-1\n';

test('parseStatus and field readers', () => {
  const fields = procfs.parseStatus(SAMPLE);
  assert.equal(procfs.kbFieldBytes(fields, 'VmRSS'), 43852 * 1024);
  assert.equal(procfs.kbFieldBytes(fields, 'VmHWM'), 51964 * 1024);
  assert.equal(procfs.kbFieldBytes(fields, 'VmPeak'), 1016508 * 1024);
  assert.equal(procfs.kbFieldBytes(fields, 'VmSwap'), null);
  assert.equal(procfs.integerField(fields, 'Threads'), 7);
  assert.equal(procfs.stringField(fields, 'Cpus_allowed_list'), '0-1');
  assert.equal(procfs.kbFieldBytes(null, 'VmRSS'), null);
});

test('this process: VmRSS > 0, Threads >= 1 (Linux)', { skip: process.platform !== 'linux' }, () => {
  const fields = procfs.readStatus();
  assert.ok(procfs.kbFieldBytes(fields, 'VmRSS') > 0);
  assert.ok(procfs.readThreadCount() >= 1);
});

test('resetPeakRss reports failure instead of throwing', () => {
  assert.equal(procfs.resetPeakRss('/nonexistent-dir/clear_refs'), false);
});
