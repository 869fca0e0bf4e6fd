//! Every shared vector file of schema/, replayed exactly through the runner's own code:
//! percentile_vectors.json, concurrency_vectors.json, wakeup_vectors.json, cgroup_vectors.json,
//! fnv1a_vectors.json.

mod common;

use std::fs;
use std::path::Path;

use common::{read_json, schema_dir};
use concbench_runner::cgroup;
use concbench_runner::json::Value;
use concbench_runner::stats;
use concbench_runner::work;

fn cases(file: &str, key: &str, at_least: usize) -> Vec<Value> {
    let doc = read_json(schema_dir().join(file));
    let list = doc.get(key).and_then(Value::as_array).unwrap_or_else(|| panic!("{file}: no {key}")).to_vec();
    assert!(list.len() >= at_least, "only {} cases in {file}", list.len());
    list
}

fn name(case: &Value) -> &str {
    case.get("name").and_then(Value::as_str).unwrap_or("?")
}

#[test]
fn percentile_vectors() {
    for case in cases("percentile_vectors.json", "cases", 1) {
        let mut sorted: Vec<f64> = case
            .get("samples")
            .and_then(Value::as_array)
            .expect("samples")
            .iter()
            .map(|v| v.as_f64().expect("a number"))
            .collect();
        sorted.sort_by(f64::total_cmp);
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        let (dist, cdf) = stats::summarize_sorted(&sorted, |ms| ms, mean);
        for (key, want) in case.get("expected").and_then(Value::as_object).expect("expected") {
            let got = match key.as_str() {
                "p50" => dist.p50,
                "p90" => dist.p90,
                "p99" => dist.p99,
                "max" => dist.max,
                "min" => cdf[0],
                other => panic!("{}: vector key {other} is not produced by the runner", name(&case)),
            };
            assert_eq!(got, want.as_f64().expect("a number"), "{}: {key}", name(&case));
        }
        assert_eq!(cdf.len(), 101);
        assert_eq!((cdf[50], cdf[90], cdf[99], cdf[100]), (dist.p50, dist.p90, dist.p99, dist.max), "{}", name(&case));
        for (p, &v) in cdf.iter().enumerate() {
            assert_eq!(v, stats::percentile(&sorted, p), "{}: cdf[{p}]", name(&case));
        }
    }
}

#[test]
fn nearest_rank_index() {
    let table = [
        (0, 1, 0),
        (50, 1, 0),
        (100, 1, 0),
        (0, 10, 0),
        (1, 10, 0),
        (10, 10, 0),
        (11, 10, 1),
        (50, 10, 4),
        (90, 10, 8),
        (99, 10, 9),
        (100, 10, 9),
        (50, 101, 50),
        (99, 101, 99),
        (100, 101, 100),
        (50, 1000, 499),
        (99, 1000, 989),
        (99, 999, 989),
    ];
    for (p, n, want) in table {
        assert_eq!(stats::nearest_rank_index(p, n), want, "nearest_rank_index({p}, {n})");
    }
}

/// The runner's path, integer ns to float ms, gives the float vectors' order statistics and an
/// exact mean.
#[test]
fn summaries_in_nanoseconds() {
    let ns = [10_000_001u64, 10_250_000, 12_000_002];
    let (dist, cdf) = stats::summarize_sorted_ns(&ns);
    assert_eq!((dist.p50, dist.p99, dist.max, cdf[0]), (10.25, 12.000002, 12.000002, 10.000001));
    assert_eq!(dist.mean, 10.750001);
    assert_eq!(stats::ns_to_ms(10_123_456), 10.123456);
}

#[test]
fn concurrency_vectors() {
    for case in cases("concurrency_vectors.json", "cases", 8) {
        let intervals = case.get("intervals").and_then(Value::as_array).expect("intervals");
        let mut begins: Vec<u64> =
            intervals.iter().map(|iv| iv.as_array().expect("a pair")[0].as_u64().expect("ns")).collect();
        let mut ends: Vec<u64> =
            intervals.iter().map(|iv| iv.as_array().expect("a pair")[1].as_u64().expect("ns")).collect();
        let want = case.get("expected").and_then(Value::as_u64).expect("expected");
        let (mut rev_begins, mut rev_ends) = (begins.clone(), ends.clone());
        assert_eq!(stats::peak_overlap(&mut begins, &mut ends), Ok(want), "{}", name(&case));
        assert!(begins.is_sorted() && ends.is_sorted(), "{}: peak_overlap leaves its arguments sorted", name(&case));
        // Input order does not matter.
        rev_begins.reverse();
        rev_ends.reverse();
        assert_eq!(stats::peak_overlap(&mut rev_begins, &mut rev_ends), Ok(want), "{} reversed", name(&case));
    }
    assert!(stats::peak_overlap(&mut [5], &mut [4]).is_err(), "an interval that ends before it begins");
    assert!(stats::peak_overlap(&mut [1, 2], &mut [3]).is_err(), "one end per begin");
    assert_eq!(stats::sweep_peak(&[], &[]), 0);
}

#[test]
fn wakeup_vectors() {
    for case in cases("wakeup_vectors.json", "vectors", 5) {
        let known = ["name", "io_ms", "started_ns", "woke_ns", "expected"];
        for key in case.keys() {
            assert!(known.contains(&key), "{}: unknown key {key}", name(&case));
        }
        let ns = |key: &str| -> Vec<i64> {
            case.get(key).and_then(Value::as_array).expect("stamps").iter().map(|v| v.as_i64().expect("ns")).collect()
        };
        let (started, woke) = (ns("started_ns"), ns("woke_ns"));
        assert_eq!(started.len(), woke.len());
        let mut waits: Vec<i64> = woke.iter().zip(&started).map(|(w, s)| w - s).collect();
        waits.sort_unstable();
        let d = stats::wait_ns(case.get("io_ms").and_then(Value::as_f64).expect("io_ms"));
        let got = stats::wakeup_from_sorted(&waits, i128::from(d));
        let want = case.get("expected").expect("expected");
        let expected_keys: Vec<&str> = want.keys();
        assert_eq!(expected_keys, ["early_tasks", "earliest", "p50", "p99", "latest"], "{}", name(&case));
        let f = |key: &str| want.get(key).and_then(Value::as_f64).expect("a number");
        assert_eq!(
            got.early_tasks,
            want.get("early_tasks").and_then(Value::as_u64).expect("early_tasks"),
            "{}",
            name(&case)
        );
        assert_eq!(
            (got.earliest, got.p50, got.p99, got.latest),
            (f("earliest"), f("p50"), f("p99"), f("latest")),
            "{}",
            name(&case)
        );
    }
}

/// D in ns is io_ms * 1e6 rounded, never truncated (1.001 * 1e6 is 1000999.9999999999).
#[test]
fn wait_ns_rounds() {
    for (ms, want) in
        [(10.0, 10_000_000), (0.5, 500_000), (2.5, 2_500_000), (1.001, 1_001_000), (10000.0, 10_000_000_000)]
    {
        assert_eq!(stats::wait_ns(ms), want, "wait_ns({ms})");
    }
}

/// Creates files (path relative to root -> content).
pub fn write_tree(root: &Path, files: &[(String, String)]) {
    for (rel, content) in files {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        fs::write(path, content).expect("write");
    }
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("concbench-rust-{}-{tag}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

#[test]
fn cgroup_vectors() {
    let list = cases("cgroup_vectors.json", "cases", 10);
    for (index, case) in list.iter().enumerate() {
        let root = temp_dir(&format!("cg{index}")).join("fs");
        let files: Vec<(String, String)> = case
            .get("files")
            .and_then(Value::as_object)
            .expect("files")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("content").to_string()))
            .collect();
        write_tree(&root, &files);
        fs::create_dir_all(&root).expect("the mount root");
        let reader =
            cgroup::reader_at(&root, case.get("proc_self_cgroup").and_then(Value::as_str).expect("proc_self_cgroup"));
        let info = reader.info();
        let want = case.get("expected").expect("expected");
        let known = [
            "version",
            "cpu_quota_cores",
            "cpuset",
            "memory_limit_bytes",
            "cgroup_peak_bytes",
            "cgroup_usage_bytes",
            "cpu_usage_s",
            "throttled_periods",
            "throttled_s",
            "pids_current",
            "pids_max",
        ];
        for key in want.keys() {
            assert!(known.contains(&key), "{}: expected key {key} is not replayed", name(case));
        }
        let int = |key: &str| want.get(key).and_then(Value::as_u64);
        let float = |key: &str| want.get(key).and_then(Value::as_f64);
        let n = name(case);
        assert_eq!(info.version.map(u64::from), int("version"), "{n}: version");
        assert_eq!(info.cpu_quota_cores, float("cpu_quota_cores"), "{n}: cpu_quota_cores");
        assert_eq!(info.cpuset.as_deref(), want.get("cpuset").and_then(Value::as_str), "{n}: cpuset");
        assert_eq!(info.memory_limit_bytes, int("memory_limit_bytes"), "{n}: memory_limit_bytes");
        assert_eq!(reader.memory_peak(), int("cgroup_peak_bytes"), "{n}: cgroup_peak_bytes");
        assert_eq!(reader.memory_usage(), int("cgroup_usage_bytes"), "{n}: cgroup_usage_bytes");
        assert_eq!(reader.cpu_usage_seconds(), float("cpu_usage_s"), "{n}: cpu_usage_s");
        assert_eq!(reader.throttled_periods(), int("throttled_periods"), "{n}: throttled_periods");
        assert_eq!(reader.throttled_seconds(), float("throttled_s"), "{n}: throttled_s");
        assert_eq!(reader.pids_current(), int("pids_current"), "{n}: pids_current");
        assert_eq!(reader.pids_max(), int("pids_max"), "{n}: pids_max");
        let _ = fs::remove_dir_all(root.parent().expect("the temp dir"));
    }
}

fn fnv_vectors() -> Value {
    let v = read_json(schema_dir().join("fnv1a_vectors.json"));
    assert!(v.get("known_answers").and_then(Value::as_array).is_some_and(|a| !a.is_empty()));
    assert!(v.get("vectors").and_then(Value::as_array).is_some_and(|a| !a.is_empty()));
    v
}

/// An FNV-1a 32 written apart from work::fnv1a32 and work::payload, byte by byte.
fn independent_fnv(i: usize, loop_bytes: usize) -> u32 {
    let mut h: u64 = 2_166_136_261;
    for j in 0..loop_bytes {
        h ^= ((i + j) % 256) as u64;
        h = (h * 16_777_619) % (1u64 << 32);
    }
    h as u32
}

#[test]
fn fnv1a_vectors() {
    let v = fnv_vectors();
    for ka in v.get("known_answers").and_then(Value::as_array).expect("known answers") {
        let ascii = ka.get("ascii").and_then(Value::as_str).expect("ascii");
        let want = ka.get("hex").and_then(Value::as_str).expect("hex");
        assert_eq!(format!("{:08x}", work::fnv1a32(ascii.as_bytes())), want, "fnv1a32({ascii:?})");
    }
    for vector in v.get("vectors").and_then(Value::as_array).expect("vectors") {
        let index = vector.get("index").and_then(Value::as_u64).expect("index") as usize;
        let loop_bytes = vector.get("loop_bytes").and_then(Value::as_u64).expect("loop_bytes") as usize;
        let want = vector.get("hex").and_then(Value::as_str).expect("hex");
        let got = work::fnv_task(index, loop_bytes).expect("a task");
        assert_eq!(format!("{got:08x}"), want, "task {index}, {loop_bytes} bytes");
        assert_eq!(independent_fnv(index, loop_bytes), got, "the independent hash, task {index}");
    }
}

/// The delta-coded submitted stamps read back exactly, gaps of 2^32 - 1 ns and more included, in
/// ascending order; the in-flight sweep over them is the slice sweep's.
#[test]
fn submit_log_round_trip() {
    let open = 1_000;
    let stamps: Vec<u64> = vec![
        1_000,
        1_005,
        1_005,
        1_005 + u64::from(u32::MAX) - 1,
        1_005 + u64::from(u32::MAX) - 1 + u64::from(u32::MAX),
        9_000_000_000_000,
        9_000_000_000_001,
        9_000_000_000_001 + (1 << 40),
    ];
    let mut log = stats::SubmitLog::try_new(stamps.len()).expect("a log");
    log.open(open);
    for (i, &s) in stamps.iter().enumerate() {
        log.record(i, s);
    }
    assert_eq!(log.stamps().collect::<Vec<_>>(), stamps);
    assert_eq!(log.opened(), open);
    let ends: Vec<u64> = stamps.iter().map(|s| s + 10).collect();
    assert_eq!(stats::sweep_peak_iter(log.stamps(), &ends), stats::sweep_peak(&stamps, &ends));
    assert!(stats::SubmitLog::try_new(usize::MAX).is_err(), "a log the allocator refuses");
}
