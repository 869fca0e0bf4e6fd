'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const procfs = require('../lib/procfs');

function tempFile(t, name, content) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procfs-test-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

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

test('peakRss: VmHWM, never below an exact VmRSS reading of the window', () => {
  const page = 4096;
  // VmHWM above both readings: VmHWM.
  assert.equal(procfs.peakRss(900 * page, 800 * page, 850 * page), 900 * page);
  // VmHWM below the baseline (the kernel's approximate counter lagging): the baseline.
  assert.equal(procfs.peakRss(780 * page, 800 * page, 790 * page), 800 * page);
  // VmHWM below the reading after the window: that reading.
  assert.equal(procfs.peakRss(800 * page, 790 * page, 812 * page), 812 * page);
  // VmRSS unreadable after the window: VmHWM and the baseline only.
  assert.equal(procfs.peakRss(780 * page, 800 * page, null), 800 * page);
  assert.equal(procfs.peakRss(900 * page, 800 * page, null), 900 * page);
});

test('resetPeakRss reports failure instead of throwing', () => {
  assert.equal(procfs.resetPeakRss('/nonexistent-dir/clear_refs'), false);
});

const LIMITS = [
  'Limit                     Soft Limit           Hard Limit           Units     ',
  'Max processes             4096                 96365                processes ',
  'Max open files            20000                20000                files     ',
  'Max address space         unlimited            unlimited            bytes     ',
  '',
].join('\n');

test('rlimits: soft values of /proc/self/limits, null when unlimited', (t) => {
  assert.deepEqual(procfs.readRlimits(tempFile(t, 'limits', LIMITS)), { rlimit_nproc: 4096, rlimit_as_bytes: null });
  const limited = LIMITS.replace('Max address space         unlimited', 'Max address space         1073741824');
  assert.deepEqual(procfs.readRlimits(tempFile(t, 'limits2', limited)), { rlimit_nproc: 4096, rlimit_as_bytes: 1073741824 });
  assert.deepEqual(procfs.readRlimits('/nonexistent/limits'), { rlimit_nproc: null, rlimit_as_bytes: null });
});

test('mapping count: lines of a maps file, read in chunks', (t) => {
  const line = '7f0000000000-7f0000001000 r--p 00000000 00:00 0 \n';
  assert.equal(procfs.readMappingCount(tempFile(t, 'maps', line.repeat(5000))), 5000);
  assert.equal(procfs.readMappingCount('/nonexistent/maps'), null);
});

test('swap counters and kernel limits; unreadable is null', (t) => {
  const vmstat = tempFile(t, 'vmstat', 'nr_free_pages 1\npswpin 12\npswpout 34\npswpin_x 9\n');
  assert.deepEqual(procfs.readSwapPages(vmstat), { in: 12, out: 34 });
  assert.deepEqual(procfs.readSwapPages('/nonexistent/vmstat'), { in: null, out: null });
  assert.equal(procfs.readIntegerFile(tempFile(t, 'pid_max', '32768\n')), 32768);
  assert.equal(procfs.readIntegerFile(tempFile(t, 'bad', 'max\n')), null);
  assert.deepEqual(procfs.readKernelLimits('/nonexistent'), { pid_max: null, threads_max: null, max_map_count: null });
});

test('children CPU: cutime + cstime of /proc/self/stat in USER_HZ ticks, comm with spaces and parens', (t) => {
  // fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  const stat = '42 (a b) c) S 1 42 42 0 -1 4194304 10 0 0 0 7 3 250 50 20 0 1 0\n';
  assert.equal(procfs.readChildrenCpuSeconds(tempFile(t, 'stat', stat)), 3);
  assert.equal(procfs.readChildrenCpuSeconds('/nonexistent/stat'), 0);
});
