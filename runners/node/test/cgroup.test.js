'use strict';
// Own-cgroup resolution on fake /proc/self/cgroup + /sys/fs/cgroup trees (v1 and v2).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const cgroup = require('../lib/cgroup');

function fakeTree(procCgroup, files) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cgroup-test-'));
  const mount = path.join(root, 'sys', 'fs', 'cgroup');
  fs.mkdirSync(mount, { recursive: true });
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(mount, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (content !== null) fs.writeFileSync(file, content);
  }
  const procSelfCgroup = path.join(root, 'cgroup');
  fs.writeFileSync(procSelfCgroup, procCgroup);
  return { roots: { procSelfCgroup, mount }, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

const V1_PROC = [
  '12:pids:/docker/abc',
  '5:cpu,cpuacct:/docker/abc',
  '4:memory:/docker/abc',
  '3:cpuset:/docker/abc',
  '0::/',
  '',
].join('\n');

test('v1: own path exists -> files of the own cgroup, not of the mount root', (t) => {
  const { roots, cleanup } = fakeTree(V1_PROC, {
    'memory/memory.max_usage_in_bytes': '999\n',
    'memory/memory.limit_in_bytes': '1\n',
    'memory/docker/abc/memory.max_usage_in_bytes': '123456\n',
    'memory/docker/abc/memory.limit_in_bytes': '536870912\n',
    'cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '150000\n',
    'cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
    'cpuset/docker/abc/cpuset.effective_cpus': '0\n',
    'cpuset/docker/abc/cpuset.cpus': '0-1\n',
  });
  t.after(cleanup);
  assert.equal(cgroup.detectVersion(roots.mount), 1);
  assert.equal(cgroup.readPeakBytes(roots), 123456);
  assert.deepEqual(cgroup.readLimits(roots),
    { version: 1, cpu_quota_cores: 1.5, cpuset: '0', memory_limit_bytes: 536870912 });
});

test('v1: own path missing (no cgroup namespace) -> falls back to the mount root', (t) => {
  const { roots, cleanup } = fakeTree(V1_PROC, {
    'memory/memory.max_usage_in_bytes': '777\n',
    'memory/memory.limit_in_bytes': '9223372036854771712\n',
    'cpu,cpuacct/cpu.cfs_quota_us': '-1\n',
    'cpu,cpuacct/cpu.cfs_period_us': '100000\n',
    'cpuset/cpuset.cpus': '0-3\n',
  });
  t.after(cleanup);
  assert.equal(cgroup.readPeakBytes(roots), 777);
  assert.deepEqual(cgroup.readLimits(roots),
    { version: 1, cpu_quota_cores: null, cpuset: '0-3', memory_limit_bytes: null });
});

test('v1: memory cgroup is the root "/" -> no own peak and no limits (same rule in every runner)', (t) => {
  const { roots, cleanup } = fakeTree('4:memory:/\n3:cpuset:/\n', {
    'memory/memory.max_usage_in_bytes': '777\n',
    'memory/memory.limit_in_bytes': '1073741824\n',
  });
  t.after(cleanup);
  assert.equal(cgroup.readPeakBytes(roots), null);
  assert.equal(cgroup.readLimits(roots).memory_limit_bytes, null);
  assert.equal(cgroup.readLimits(roots).cpuset, null);
});

test('v2: own path joined under the unified mount', (t) => {
  const { roots, cleanup } = fakeTree('0::/system.slice/bench.scope\n', {
    'cgroup.controllers': 'cpu memory cpuset\n',
    'memory.peak': '1\n',
    'system.slice/bench.scope/memory.peak': '4096\n',
    'system.slice/bench.scope/memory.max': '268435456\n',
    'system.slice/bench.scope/cpu.max': '50000 100000\n',
    'system.slice/bench.scope/cpuset.cpus.effective': '1\n',
  });
  t.after(cleanup);
  assert.equal(cgroup.detectVersion(roots.mount), 2);
  assert.equal(cgroup.readPeakBytes(roots), 4096);
  assert.deepEqual(cgroup.readLimits(roots),
    { version: 2, cpu_quota_cores: 0.5, cpuset: '1', memory_limit_bytes: 268435456 });
});

test('v2: the real root "/" cgroup (no memory.max) is not the runner\'s own', (t) => {
  const { roots, cleanup } = fakeTree('0::/\n', {
    'cgroup.controllers': 'cpu memory\n',
    'memory.peak': '5000\n',
  });
  t.after(cleanup);
  assert.equal(cgroup.readPeakBytes(roots), null);
  assert.deepEqual(cgroup.readLimits(roots),
    { version: 2, cpu_quota_cores: null, cpuset: null, memory_limit_bytes: null });
});

test('v2: a namespaced "/" with memory.max is the container\'s own cgroup', (t) => {
  const { roots, cleanup } = fakeTree('0::/\n', {
    'cgroup.controllers': 'cpu memory\n',
    'memory.peak': '5000\n',
    'memory.max': 'max\n',
    'cpu.max': 'max 100000\n',
  });
  t.after(cleanup);
  assert.equal(cgroup.readPeakBytes(roots), 5000);
  assert.deepEqual(cgroup.readLimits(roots),
    { version: 2, cpu_quota_cores: null, cpuset: null, memory_limit_bytes: null });
});

test('no cgroup filesystem -> all null', (t) => {
  const { roots, cleanup } = fakeTree('0::/x\n', {});
  t.after(cleanup);
  assert.equal(cgroup.detectVersion(roots.mount), null);
  assert.equal(cgroup.readPeakBytes(roots), null);
  assert.deepEqual(cgroup.readLimits(roots),
    { version: null, cpu_quota_cores: null, cpuset: null, memory_limit_bytes: null });
});

test('parseProcCgroup keeps colons inside paths', () => {
  assert.deepEqual(cgroup.parseProcCgroup('4:memory:/a:b\n0::/\n'), [
    { id: '4', controllers: ['memory'], path: '/a:b' },
    { id: '0', controllers: [], path: '/' },
  ]);
});

// schema/cgroup_vectors.json, replayed on fake trees through the real resolution code.
const VECTORS = JSON.parse(fs.readFileSync(
  path.join(__dirname, '..', '..', '..', 'schema', 'cgroup_vectors.json'), 'utf8'));

test('the shared cgroup vector file has cases', () => {
  assert.ok(VECTORS.cases.length >= 10);
});

// Every expected key of the vectors, and the reader of the runner's that produces it.
const READERS = {
  version: (roots) => cgroup.readLimits(roots).version,
  cpu_quota_cores: (roots) => cgroup.readLimits(roots).cpu_quota_cores,
  cpuset: (roots) => cgroup.readLimits(roots).cpuset,
  memory_limit_bytes: (roots) => cgroup.readLimits(roots).memory_limit_bytes,
  cgroup_peak_bytes: (roots) => cgroup.readPeakBytes(roots),
  cgroup_usage_bytes: (roots) => cgroup.readUsageBytes(roots),
  cpu_usage_s: (roots) => cgroup.readCpuChecks(roots).cpu_usage_s,
  throttled_periods: (roots) => cgroup.readCpuChecks(roots).throttled_periods,
  throttled_s: (roots) => cgroup.readCpuChecks(roots).throttled_s,
  pids_current: (roots) => cgroup.readPids(roots).pids_current,
  pids_max: (roots) => cgroup.readPids(roots).pids_max,
};

test('every key the cgroup vectors expect has a reader here, and every reader is exercised', () => {
  const expectedKeys = new Set(VECTORS.cases.flatMap((vector) => Object.keys(vector.expected)));
  assert.deepEqual([...expectedKeys].sort(), Object.keys(READERS).sort());
});

for (const vector of VECTORS.cases) {
  test(`cgroup vector: ${vector.name}`, (t) => {
    const { roots, cleanup } = fakeTree(vector.proc_self_cgroup, vector.files);
    t.after(cleanup);
    const got = Object.fromEntries(Object.keys(vector.expected).map((key) => [key, READERS[key](roots)]));
    assert.deepEqual(got, vector.expected);
    // readLimits is environment.cgroup: exactly its four keys.
    const { version, cpu_quota_cores: quota, cpuset, memory_limit_bytes: limit } = vector.expected;
    assert.deepEqual(cgroup.readLimits(roots),
      { version, cpu_quota_cores: quota, cpuset, memory_limit_bytes: limit });
    assert.equal(cgroup.readMemoryLimit(roots), limit);
  });
}

test('parseKeyedCounts: integer rows only', () => {
  assert.deepEqual([...cgroup.parseKeyedCounts('usage_usec 12\nnr_throttled 3\nweird x\n\n')],
    [['usage_usec', 12n], ['nr_throttled', 3n]]);
});

test('a cpu.stat without throttling keys (v2 without the cpu controller) gives null, not 0', (t) => {
  const { roots, cleanup } = fakeTree('0::/run5\n', {
    'cgroup.controllers': 'memory\n',
    'run5/cpu.stat': 'usage_usec 2500000\nuser_usec 1\nsystem_usec 2\n',
  });
  t.after(cleanup);
  assert.deepEqual(cgroup.readCpuChecks(roots), { cpu_usage_s: 2.5, throttled_periods: null, throttled_s: null });
  assert.deepEqual(cgroup.readPids(roots), { pids_current: null, pids_max: null });
  assert.equal(cgroup.readUsageBytes(roots), null);
});
