//! Real runs of every approach, checked against what holds on any machine (never absolute times)
//! and validated against the schema composed with the contract.

mod common;

use common::{assert_schema_valid, read_json, schema_dir, serial};
use concbench_runner::args::{Approach, Config, Workload};
use concbench_runner::benchmark::run_benchmark;
use concbench_runner::json::{self, Value};
use concbench_runner::result::{Document, ErrorKind};
use sha2::{Digest, Sha256};

fn config(workload: Workload, approach: Approach, tasks: usize) -> Config {
    let mut cfg = Config::new(workload, approach);
    cfg.tasks = tasks;
    cfg
}

/// What holds for every ok run, whatever the machine; returns the printed document.
fn check_common(doc: &Document, n: usize) -> Value {
    assert!(doc.ok(), "status error: {:?}", doc.error);
    let total = doc.total_ms.expect("total_ms");
    let throughput = doc.throughput_per_s.expect("throughput");
    assert!(total > 0.0 && throughput > 0.0, "total {total}, throughput {throughput}");
    let want = n as f64 / (total / 1000.0);
    assert!((throughput - want).abs() <= 1e-6 * want, "throughput {throughput}, want {want}");
    let lat = doc.latency.as_ref().expect("latency");
    assert_eq!((lat.service_cdf.len(), lat.end_to_end_cdf.len()), (101, 101));
    for p in 0..=100 {
        // end_to_end_i >= service_i for every task, so for every order statistic too.
        assert!(lat.end_to_end_cdf[p] >= lat.service_cdf[p], "cdf p{p}: end_to_end < service");
        if p > 0 {
            assert!(lat.service_cdf[p] >= lat.service_cdf[p - 1], "service cdf not monotonic at p{p}");
            assert!(lat.end_to_end_cdf[p] >= lat.end_to_end_cdf[p - 1], "end_to_end cdf not monotonic at p{p}");
        }
    }
    assert_eq!(lat.service_cdf[100], lat.service.max);
    assert!(lat.service.mean <= lat.service.max && lat.service.mean >= lat.service_cdf[0]);
    // The window holds every task's submission and completion.
    assert!(lat.end_to_end.max <= total, "end_to_end max {} > total {total}", lat.end_to_end.max);
    let mem = doc.memory.as_ref().expect("memory");
    // The peak is never below the baseline by construction (procfs::peak_rss).
    assert!(mem.baseline_rss_bytes > 0 && mem.peak_rss_bytes >= mem.baseline_rss_bytes, "{mem:?}");
    assert!(mem.hwm_reset, "VmHWM was not reset (/proc/self/clear_refs)");
    assert_eq!(mem.cgroup_baseline_bytes.is_some(), mem.cgroup_peak_bytes.is_some(), "cgroup baseline and peak");
    let cpu = doc.cpu.as_ref().expect("cpu");
    assert!(cpu.peak_threads >= 1 && cpu.user_s >= 0.0 && cpu.system_s >= 0.0, "{cpu:?}");
    let c = doc.concurrency.as_ref().expect("concurrency");
    assert!(1 <= c.peak_running && c.peak_running <= c.peak_in_flight && c.peak_in_flight <= n as u64, "{c:?}");
    assert!(c.submit_ms >= 0.0 && c.submit_ms <= total, "submit_ms {} not within [0, {total}]", c.submit_ms);
    let checks = doc.checks.as_ref().expect("checks");
    let process_cpu = checks.process_cpu_s.expect("process_cpu_s");
    assert!(process_cpu + 1e-9 >= cpu.user_s + cpu.system_s, "process_cpu_s {process_cpu} < the window's CPU");
    assert!(doc.started_at.is_some() && doc.runtime.name == "rustc" && !doc.runtime.version.is_empty());
    assert!(doc.environment.cpu_count >= 1 && doc.environment.parallelism >= 1);
    let text = doc.to_json();
    assert!(text.ends_with('\n') && text.matches('\n').count() == 1, "not one line plus a newline");
    assert_schema_valid(&text);
    let printed = json::parse(&text).expect("JSON");
    assert_eq!(printed.at(&["memory", "processes", "count"]).and_then(Value::as_u64), Some(1));
    assert_eq!(
        printed.at(&["memory", "processes", "peak_rss_sum_bytes"]).and_then(Value::as_u64),
        Some(mem.peak_rss_bytes),
        "one process: the sum is the runner's own peak"
    );
    printed
}

/// The io bounds: every task waited at least D (neither std::thread::sleep nor tokio's timer,
/// which rounds deadlines up to its millisecond tick, returns early), all N concurrently, far
/// below N*D.
fn check_io(doc: &Document, n: usize, d: f64) {
    let printed = check_common(doc, n);
    let lat = doc.latency.as_ref().expect("latency");
    assert!(
        lat.service_cdf[0] >= d && lat.service.p50 >= d,
        "service min {} / p50 {} below D {d}",
        lat.service_cdf[0],
        lat.service.p50
    );
    let w = doc.wakeup.as_ref().expect("wakeup_ms");
    assert_eq!(w.early_tasks, 0, "{w:?}");
    assert!(0.0 <= w.earliest && w.earliest <= w.p50 && w.p50 <= w.p99 && w.p99 <= w.latest, "{w:?}");
    // For io, woke is the finished stamp: the wake-up error is the service time minus D.
    assert!((w.latest - (lat.service.max - d)).abs() < 1e-9 && (w.earliest - (lat.service_cdf[0] - d)).abs() < 1e-9);
    let total = doc.total_ms.expect("total");
    assert!(total < n as f64 * d / 10.0, "total_ms {total} >= N*D/10: the tasks did not wait concurrently");
    assert!(doc.checksum.is_none());
    let workload = printed.get("workload").expect("workload");
    assert_eq!(workload.get("io_ms").and_then(Value::as_f64), Some(d));
    assert!(
        workload.get("repeat").is_none()
            && workload.get("payload_bytes").is_none()
            && workload.get("loop_bytes").is_none()
    );
    for key in ["pool_size", "workers"] {
        assert!(workload.get(key).is_some_and(Value::is_null), "workload.{key} is not null");
    }
    assert!(printed.get("checksum").is_some_and(Value::is_null));
}

#[test]
fn io_tokio() {
    let _serial = serial();
    let (n, d) = (1000, 10.0);
    let doc = run_benchmark(&config(Workload::Io, Approach::Tokio, n));
    check_io(&doc, n, d);
    assert!(doc.runtime.version.contains("tokio "), "{}", doc.runtime.version);
}

#[test]
fn io_tokio_current_thread() {
    let _serial = serial();
    let (n, d) = (1000, 10.0);
    let doc = run_benchmark(&config(Workload::Io, Approach::TokioCurrentThread, n));
    check_io(&doc, n, d);
    // One thread runs the runtime: no task starts before the submitting loop awaits, so every
    // task was queued for at least the rest of the submissions.
    let (lat, c) = (doc.latency.expect("latency"), doc.concurrency.expect("concurrency"));
    assert!(lat.end_to_end.max >= lat.service.max && c.peak_in_flight == n as u64, "{c:?}");
}

#[test]
fn io_threads() {
    let _serial = serial();
    let (n, d) = (1000, 10.0);
    let doc = run_benchmark(&config(Workload::Io, Approach::Threads, n));
    check_io(&doc, n, d);
    let c = doc.concurrency.expect("concurrency");
    // A thread per task: at least as many threads as tasks overlapped (plus the main thread).
    assert!(doc.cpu.expect("cpu").peak_threads >= 2);
    assert!(c.peak_running >= 1);
}

/// sha256(payload_i * R), computed apart from work::task_input: R updates of payload_i.
fn streamed_sha256(i: usize, payload_bytes: usize, repeat: usize) -> String {
    let payload: Vec<u8> = (0..payload_bytes).map(|j| ((i + j) % 256) as u8).collect();
    let mut h = Sha256::new();
    for _ in 0..repeat {
        h.update(&payload);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn check_cpu(doc: &Document, n: usize) -> Value {
    let printed = check_common(doc, n);
    assert!(doc.wakeup.is_none(), "wakeup_ms for a workload without a wait");
    assert!(printed.get("wakeup_ms").is_some_and(Value::is_null), "wakeup_ms must be null in a cpu document");
    let cpu = doc.cpu.as_ref().expect("cpu");
    assert!(cpu.user_s + cpu.system_s > 0.0, "a cpu run used no CPU: {cpu:?}");
    printed
}

#[test]
fn cpu_threads_and_rayon_checksum() {
    let _serial = serial();
    let (n, b, r) = (50, 64, 1000);
    for approach in [Approach::Threads, Approach::Rayon] {
        let mut cfg = config(Workload::Cpu, approach, n);
        (cfg.payload_bytes, cfg.repeat, cfg.workers) = (b, r, 3);
        let doc = run_benchmark(&cfg);
        let printed = check_cpu(&doc, n);
        assert_eq!(doc.checksum.as_deref(), Some(streamed_sha256(0, b, r).as_str()), "{approach:?}");
        let workload = printed.get("workload").expect("workload");
        assert_eq!(workload.get("payload_bytes").and_then(Value::as_u64), Some(b as u64));
        assert_eq!(workload.get("repeat").and_then(Value::as_u64), Some(r as u64));
        assert!(workload.get("io_ms").is_none() && workload.get("loop_bytes").is_none());
        let c = doc.concurrency.expect("concurrency");
        if approach == Approach::Rayon {
            assert_eq!(workload.get("workers").and_then(Value::as_u64), Some(3));
            // A pool of 3 runs at most 3 tasks at once; its threads exist before the window.
            assert!(c.peak_running <= 3, "{c:?}");
            assert!(doc.cpu.expect("cpu").peak_threads >= 4, "3 pool threads + main");
        } else {
            assert!(workload.get("workers").is_some_and(Value::is_null));
        }
    }
}

/// The default cpu case's checksum (64 B x 10000) is every language's: the value the Go and Node
/// runners print and Python's hashlib gives. (schema/examples/valid/ok_cpu_go_goroutines.json has
/// the same case, but its checksum is a placeholder, not a real digest.)
#[test]
fn cpu_checksum_is_the_other_languages() {
    let _serial = serial();
    let example = read_json(schema_dir().join("examples").join("valid").join("ok_cpu_go_goroutines.json"));
    let b = example.at(&["workload", "payload_bytes"]).and_then(Value::as_u64).expect("payload_bytes") as usize;
    let r = example.at(&["workload", "repeat"]).and_then(Value::as_u64).expect("repeat") as usize;
    assert_eq!((b, r), (64, 10_000), "the example's case");
    let want = "88e129d23f9663e31d2354f0fbbb130ba62777172808fa41ceee626641b4d50d";
    let mut cfg = config(Workload::Cpu, Approach::Rayon, 2);
    (cfg.payload_bytes, cfg.repeat) = (b, r);
    let doc = run_benchmark(&cfg);
    check_cpu(&doc, 2);
    assert_eq!(doc.checksum.as_deref(), Some(want));
    assert_eq!(streamed_sha256(0, b, r), want);
}

/// Task 0's FNV-1a hash of 16,384 bytes, from the shared vectors: the cpu-loop and mixed checksum.
fn fnv_checksum_of_task_0() -> String {
    let fnv = read_json(schema_dir().join("fnv1a_vectors.json"));
    fnv.get("vectors")
        .and_then(Value::as_array)
        .expect("vectors")
        .iter()
        .find(|v| {
            v.get("index").and_then(Value::as_u64) == Some(0)
                && v.get("loop_bytes").and_then(Value::as_u64) == Some(16384)
        })
        .and_then(|v| v.get("hex").and_then(Value::as_str).map(str::to_string))
        .expect("a vector for task 0, 16384 bytes")
}

#[test]
fn cpu_loop_threads_and_rayon_checksum() {
    let _serial = serial();
    let want = fnv_checksum_of_task_0();
    let want = want.as_str();
    for approach in [Approach::Threads, Approach::Rayon] {
        let n = 40;
        let doc = run_benchmark(&config(Workload::CpuLoop, approach, n));
        let printed = check_cpu(&doc, n);
        assert_eq!(doc.checksum.as_deref(), Some(want), "{approach:?}");
        let workload = printed.get("workload").expect("workload");
        assert_eq!(workload.get("loop_bytes").and_then(Value::as_u64), Some(16384));
        assert!(
            workload.get("payload_bytes").is_none()
                && workload.get("repeat").is_none()
                && workload.get("io_ms").is_none()
        );
        if approach == Approach::Rayon {
            assert!(doc.concurrency.expect("concurrency").peak_running <= 4, "the default pool has 4 threads");
        }
    }
}

/// mixed: each task waits D, wakes, then does cpu-loop's work, in the task (tokio, tokio current-thread,
/// threads) or in the rayon pool (tokio-rayon). Task 0's hash is cpu-loop's, no wait returns early, and
/// the wake-up error is measured on the wait alone (woke - started): every task's CPU work comes after
/// it woke, so the latest wait is below the largest service time less D.
#[test]
fn mixed_every_approach() {
    let _serial = serial();
    let want = fnv_checksum_of_task_0();
    for approach in [Approach::Tokio, Approach::TokioCurrentThread, Approach::Threads, Approach::TokioRayon] {
        let n = 60;
        let mut cfg = config(Workload::Mixed, approach, n);
        cfg.workers = 2;
        let doc = run_benchmark(&cfg);
        let printed = check_common(&doc, n);
        assert_eq!(doc.checksum.as_deref(), Some(want.as_str()), "{approach:?}");
        let workload = printed.get("workload").expect("workload");
        assert_eq!(workload.get("io_ms").and_then(Value::as_f64), Some(10.0), "{approach:?}");
        assert_eq!(workload.get("loop_bytes").and_then(Value::as_u64), Some(16384), "{approach:?}");
        let workers = workload.get("workers").and_then(Value::as_u64);
        assert_eq!(workers, (approach == Approach::TokioRayon).then_some(2), "{approach:?} workers");
        let wakeup = doc.wakeup.as_ref().expect("wakeup_ms of mixed");
        assert_eq!(wakeup.early_tasks, 0, "{approach:?}");
        let lat = doc.latency.as_ref().expect("latency");
        assert!(lat.service_cdf[0] >= 10.0, "{approach:?}: a task's service time includes its whole wait");
        assert!(
            wakeup.latest < lat.service.max - 10.0,
            "{approach:?}: the wake-up error leaves out the CPU work after the wait: {wakeup:?} vs {:?}",
            lat.service
        );
    }
}

fn check_error(doc: &Document, kind: ErrorKind, says: &str) -> Value {
    let e = doc.error.as_ref().expect("a status error");
    assert_eq!(e.kind, kind, "{e:?}");
    assert!(e.message.contains(says), "message {:?} does not say {says:?}", e.message);
    let text = doc.to_json();
    assert_schema_valid(&text);
    let printed = json::parse(&text).expect("JSON");
    assert_eq!(printed.get("status").and_then(Value::as_str), Some("error"));
    for key in ["total_ms", "throughput_per_s", "latency_ms", "memory", "cpu", "checksum"] {
        assert!(printed.get(key).is_some_and(Value::is_null), "{key} must be null in an error document");
    }
    for key in ["concurrency", "wakeup_ms", "checks"] {
        assert!(printed.get(key).is_none(), "{key} must be absent from an error document");
    }
    let at = printed.at(&["error", "at_failure"]).expect("error.at_failure");
    for key in ["threads", "memory_maps", "rss_bytes", "vm_size_bytes"] {
        assert!(at.get(key).and_then(Value::as_u64).is_some_and(|v| v >= 1), "at_failure.{key} = {:?}", at.get(key));
    }
    for key in ["pid_max", "threads_max", "max_map_count"] {
        assert!(at.at(&["limits", key]).and_then(Value::as_u64).is_some_and(|v| v >= 1), "at_failure.limits.{key}");
    }
    printed
}

/// An input the allocator refuses (2^62 bytes: more than any address space) is a status error
/// out_of_memory, caught in the task, never an abort.
#[test]
fn cpu_input_the_allocator_refuses_is_out_of_memory() {
    let _serial = serial();
    for approach in [Approach::Threads, Approach::Rayon] {
        let mut cfg = config(Workload::Cpu, approach, 3);
        (cfg.payload_bytes, cfg.repeat) = (2, 1 << 61);
        let doc = run_benchmark(&cfg);
        check_error(&doc, ErrorKind::OutOfMemory, "cannot allocate 4611686018427387904 bytes");
        assert!(doc.started_at.is_some(), "the window opened");
    }
}

/// payload * repeat beyond the largest allocation is an internal error of the task.
#[test]
fn cpu_input_beyond_any_allocation_is_internal() {
    let _serial = serial();
    let mut cfg = config(Workload::Cpu, Approach::Threads, 2);
    (cfg.payload_bytes, cfg.repeat) = (2, 1 << 62);
    check_error(&run_benchmark(&cfg), ErrorKind::Internal, "exceeds the largest allocation");
    (cfg.payload_bytes, cfg.repeat) = (3, usize::MAX / 2);
    check_error(&run_benchmark(&cfg), ErrorKind::Internal, "more than a usize holds");
}

/// Stamps that cannot be allocated are an out_of_memory document before the window.
#[test]
fn stamps_the_allocator_refuses_are_out_of_memory() {
    let _serial = serial();
    let cfg = config(Workload::Io, Approach::Tokio, 1 << 60);
    let doc = run_benchmark(&cfg);
    let printed = check_error(&doc, ErrorKind::OutOfMemory, "cannot allocate the stamps");
    assert!(printed.get("started_at").is_none(), "the window never opened");
}

#[test]
fn ok_io_document_shape() {
    let _serial = serial();
    let mut cfg = config(Workload::Io, Approach::TokioCurrentThread, 3);
    cfg.io_ms = 1.0;
    let doc = run_benchmark(&cfg);
    let printed = check_common(&doc, 3);
    assert!(printed.get("error").is_some_and(Value::is_null));
    for key in ["wakeup_ms", "checks", "concurrency"] {
        assert!(matches!(printed.get(key), Some(Value::Object(_))), "{key} must be an object in an ok io document");
    }
    let runtime = printed.at(&["memory", "runtime"]).expect("memory.runtime");
    assert!(
        runtime.get("malloc_in_use_bytes").and_then(Value::as_u64).is_some_and(|v| v > 0),
        "glibc's view: {runtime:?}"
    );
}
