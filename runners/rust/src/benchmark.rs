//! One measured window (runners/README.md "Measurement rules") with one of the runner's models.
//!
//! Before the window: the stamps (`started` and `finished`, two `Vec<AtomicU64>` of N, and the
//! submitting thread's `SubmitLog` of `submitted` stamps, 4 bytes each: 20 bytes per task; mixed adds
//! `woke`, 8 more) and the model
//! (a tokio runtime, a rayon pool) exist, VmHWM is reset, the baselines are read. The window opens
//! just before the first submission and closes when the model says the last task completed: the
//! last io task wakes the tokio runtime's `block_on` through a `Notify`; `std::thread::scope` and
//! rayon's `in_place_scope` return when every task they were given has finished. Inside it nothing
//! runs but the tasks and their stamps, plus one read of /proc/self/status right after the last
//! submission (peak_threads). After it everything is computed from the stamps with one more
//! `Vec<u64>` of N (the latencies, sorted in place) and the stamps themselves, sorted last.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::args::{Approach, Config, Workload};
use crate::atfailure::{self, AtFailure};
use crate::cgroup::CgroupReader;
use crate::procfs;
use crate::result::{Checks, Concurrency, Cpu, Document, Environment, ErrorKind, Latency, Memory, RuntimeInfo};
use crate::stats::{self, SubmitLog};
use crate::sys;
use crate::work::{self, TaskError};

/// Per-task monotonic stamps in ns since the run's origin, indexed by task and written by their
/// own task only (relaxed atomic stores: a plain store on x86-64 and arm64). The `submitted`
/// stamps are the submitting thread's own (`SubmitLog`, 4 bytes per task): 20 bytes per task.
pub struct Stamps {
    pub started: Vec<AtomicU64>,
    pub finished: Vec<AtomicU64>,
    /// mixed only (empty otherwise): right after the task's wait returned, before its CPU work.
    pub woke: Vec<AtomicU64>,
}

fn zeroed(n: usize) -> Result<Vec<AtomicU64>, String> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|e| format!("cannot allocate the stamps of {n} tasks: {e}"))?;
    v.resize_with(n, || AtomicU64::new(0));
    Ok(v)
}

impl Stamps {
    /// The stamps of n tasks; `with_woke` for mixed.
    pub fn try_new(n: usize, with_woke: bool) -> Result<Stamps, String> {
        let woke = if with_woke { zeroed(n)? } else { Vec::new() };
        Ok(Stamps { started: zeroed(n)?, finished: zeroed(n)?, woke })
    }
}

/// `&mut [AtomicU64]` as `&mut [u64]`, to sort the stamps in place once no task runs.
fn plain(v: &mut [AtomicU64]) -> &mut [u64] {
    // SAFETY: AtomicU64 has the same size and bit validity as u64 and at least its alignment;
    // the exclusive borrow means no other reference, atomic or not, exists while this one lives.
    unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<u64>(), v.len()) }
}

/// What each task does.
#[derive(Clone, Copy, Debug)]
pub enum Body {
    /// io: wait D.
    Wait(Duration),
    /// cpu: sha256(payload_i * R).
    Sha256 { payload_bytes: usize, repeat: usize },
    /// cpu-loop: FNV-1a 32 of payload_i (L bytes).
    Fnv { loop_bytes: usize },
    /// mixed: wait D, then cpu-loop's work.
    Mixed { wait: Duration, loop_bytes: usize },
}

impl Body {
    /// D, for a body that waits.
    fn wait(self) -> Option<Duration> {
        match self {
            Body::Wait(wait) | Body::Mixed { wait, .. } => Some(wait),
            Body::Sha256 { .. } | Body::Fnv { .. } => None,
        }
    }
}

/// The first task failure, with error.at_failure read when it happened.
#[derive(Clone, Debug)]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
    pub at: AtFailure,
}

/// Everything the tasks share. In an `Arc` because tokio tasks must be 'static; the threads and
/// rayon models borrow it.
pub struct Shared {
    origin: Instant,
    pub stamps: Stamps,
    body: Body,
    tasks: usize,
    cg: CgroupReader,
    /// Task 0's result (the checksum), set by task 0.
    first: OnceLock<String>,
    /// The first task that failed.
    failure: OnceLock<Failure>,
    /// tokio: tasks not finished yet; the one that brings it to 0 notifies `done`.
    remaining: AtomicUsize,
    done: tokio::sync::Notify,
}

impl Shared {
    /// ns since the origin, monotonic.
    #[inline]
    pub fn now(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }

    fn record_failure(&self, kind: ErrorKind, message: String) {
        // The first failure reads the counts now, before the window waits for the other tasks
        // (two failing at once may both read; the first set wins).
        if self.failure.get().is_none() {
            let at = atfailure::collect(&self.cg);
            let _ = self.failure.set(Failure { kind, message, at });
        }
    }

    /// One cpu task: stamps around the body (building the input and hashing it).
    fn cpu_task(&self, i: usize) {
        self.stamps.started[i].store(self.now(), Ordering::Relaxed);
        if self.compute(i) {
            self.stamps.finished[i].store(self.now(), Ordering::Relaxed);
        }
    }

    /// The CPU work of task i; false when it failed: a panic or an input the allocator refuses is
    /// recorded as the run's failure.
    fn compute(&self, i: usize) -> bool {
        let outcome = catch_unwind(AssertUnwindSafe(|| self.cpu_work(i)));
        match outcome {
            Ok(Ok(())) => return true,
            Ok(Err(TaskError { kind, message })) => {
                self.record_failure(kind, format!("task {i} of {}: {message}", self.tasks))
            }
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_string());
                self.record_failure(ErrorKind::Internal, format!("task {i} of {} panicked: {what}", self.tasks))
            }
        }
        false
    }

    fn cpu_work(&self, i: usize) -> Result<(), TaskError> {
        match self.body {
            Body::Sha256 { payload_bytes, repeat } => {
                let digest = work::sha256_task(i, payload_bytes, repeat)?;
                if i == 0 {
                    let _ = self.first.set(work::hex(&digest));
                }
                std::hint::black_box(digest);
            }
            Body::Fnv { loop_bytes } | Body::Mixed { loop_bytes, .. } => {
                let hash = work::fnv_task(i, loop_bytes)?;
                if i == 0 {
                    let _ = self.first.set(format!("{hash:08x}"));
                }
                std::hint::black_box(hash);
            }
            Body::Wait(_) => unreachable!("io tasks have no cpu work"),
        }
        Ok(())
    }

    /// One io task on a thread: started, sleep D, finished (for io, woke is the finished stamp).
    fn thread_io_task(&self, i: usize, wait: Duration) {
        self.stamps.started[i].store(self.now(), Ordering::Relaxed);
        thread::sleep(wait);
        self.stamps.finished[i].store(self.now(), Ordering::Relaxed);
    }

    /// One mixed task on a thread: started, sleep D, woke, the CPU work, finished.
    fn thread_mixed_task(&self, i: usize, wait: Duration) {
        self.stamps.started[i].store(self.now(), Ordering::Relaxed);
        thread::sleep(wait);
        self.stamps.woke[i].store(self.now(), Ordering::Relaxed);
        if self.compute(i) {
            self.stamps.finished[i].store(self.now(), Ordering::Relaxed);
        }
    }
}

/// One tokio io task: started, `tokio::time::sleep(D).await`, finished; the last one to finish
/// wakes the window. Its future holds the Arc, the index and tokio's Sleep: what a bare
/// `tokio::spawn(async move { sleep(d).await; ... })` holds.
async fn tokio_io_task(shared: Arc<Shared>, i: usize) {
    let Body::Wait(wait) = shared.body else { unreachable!("tokio runs io only") };
    shared.stamps.started[i].store(shared.now(), Ordering::Relaxed);
    tokio::time::sleep(wait).await;
    shared.stamps.finished[i].store(shared.now(), Ordering::Relaxed);
    if shared.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
        shared.done.notify_one();
    }
}

/// One tokio mixed task: started, `sleep(D).await`, woke, the CPU work (in the task itself, which
/// holds its runtime thread meanwhile, or handed to the rayon pool and awaited through a oneshot
/// channel, so the runtime thread serves other tasks), finished; the last one wakes the window.
async fn tokio_mixed_task(shared: Arc<Shared>, i: usize, cpu_pool: Option<Arc<rayon::ThreadPool>>) {
    let Body::Mixed { wait, .. } = shared.body else { unreachable!("a mixed task runs the mixed body") };
    shared.stamps.started[i].store(shared.now(), Ordering::Relaxed);
    tokio::time::sleep(wait).await;
    shared.stamps.woke[i].store(shared.now(), Ordering::Relaxed);
    let computed = match cpu_pool {
        None => shared.compute(i),
        Some(pool) => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let job = Arc::clone(&shared);
            pool.spawn(move || {
                let computed = job.compute(i);
                drop(job); // before the send: once the last task is answered, the window owns Shared alone
                let _ = tx.send(computed);
            });
            rx.await.unwrap_or(false)
        }
    };
    if computed {
        shared.stamps.finished[i].store(shared.now(), Ordering::Relaxed);
    }
    if shared.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
        shared.done.notify_one();
    }
}

/// The concurrency model, made before the window.
enum Model {
    /// A tokio runtime; for tokio-rayon, with the pool its tasks hand their CPU work to.
    Tokio(tokio::runtime::Runtime, Option<Arc<rayon::ThreadPool>>),
    Threads,
    Rayon(rayon::ThreadPool),
}

/// What the window measured.
struct Window {
    wall: SystemTime,
    open: u64,
    close: u64,
    threads_after_submit: u64,
    /// A submission that could not be made (e.g. a thread that could not spawn).
    submit_failure: Option<Failure>,
}

fn build_model(cfg: &Config) -> Result<Model, (ErrorKind, String)> {
    use tokio::runtime::Builder;
    match cfg.approach {
        Approach::Tokio => Ok(Model::Tokio(tokio_runtime(Builder::new_multi_thread())?, None)),
        Approach::TokioCurrentThread => Ok(Model::Tokio(tokio_runtime(Builder::new_current_thread())?, None)),
        Approach::Threads => Ok(Model::Threads),
        Approach::Rayon => Ok(Model::Rayon(rayon_pool(cfg.workers)?)),
        Approach::TokioRayon => {
            Ok(Model::Tokio(tokio_runtime(Builder::new_multi_thread())?, Some(Arc::new(rayon_pool(cfg.workers)?))))
        }
    }
}

/// A tokio runtime with its timer, started before the window.
fn tokio_runtime(mut builder: tokio::runtime::Builder) -> Result<tokio::runtime::Runtime, (ErrorKind, String)> {
    builder.enable_time().build().map_err(|e| (io_error_kind(&e), format!("cannot start the tokio runtime: {e}")))
}

/// A rayon pool of `workers` threads, every one started before the window.
fn rayon_pool(workers: usize) -> Result<rayon::ThreadPool, (ErrorKind, String)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("rayon-{i}"))
        .build()
        .map_err(|e| (ErrorKind::ResourceExhausted, format!("cannot start the rayon pool of {workers}: {e}")))?;
    // Every pool thread runs once: all W exist and wait for work before the window.
    pool.broadcast(|_| ());
    Ok(pool)
}

fn io_error_kind(e: &std::io::Error) -> ErrorKind {
    if e.kind() == std::io::ErrorKind::OutOfMemory { ErrorKind::OutOfMemory } else { ErrorKind::ResourceExhausted }
}

/// Opens the window, submits every task, returns when the last one completed.
fn run_window(model: &Model, shared: &Arc<Shared>, cfg: &Config, submitted: &mut SubmitLog) -> Window {
    let n = cfg.tasks;
    match model {
        Model::Tokio(rt, cpu_pool) => rt.block_on(async {
            let mixed = matches!(shared.body, Body::Mixed { .. });
            let wall = SystemTime::now();
            let open = shared.now();
            submitted.open(open);
            for i in 0..n {
                submitted.record(i, shared.now());
                if mixed {
                    tokio::spawn(tokio_mixed_task(Arc::clone(shared), i, cpu_pool.clone()));
                } else {
                    tokio::spawn(tokio_io_task(Arc::clone(shared), i));
                }
            }
            let threads_after_submit = procfs::read_threads();
            shared.done.notified().await;
            Window { wall, open, close: shared.now(), threads_after_submit, submit_failure: None }
        }),
        Model::Threads => {
            let s: &Shared = shared;
            let mut failure = None;
            let mut threads_after_submit = 0;
            let wall = SystemTime::now();
            let open = s.now();
            submitted.open(open);
            thread::scope(|scope| {
                for i in 0..n {
                    submitted.record(i, s.now());
                    let spawned = match s.body {
                        Body::Wait(wait) => {
                            thread::Builder::new().spawn_scoped(scope, move || s.thread_io_task(i, wait))
                        }
                        Body::Mixed { wait, .. } => {
                            thread::Builder::new().spawn_scoped(scope, move || s.thread_mixed_task(i, wait))
                        }
                        _ => thread::Builder::new().spawn_scoped(scope, move || s.cpu_task(i)),
                    };
                    if let Err(e) = spawned {
                        // Read before the scope waits for the threads that did start.
                        failure = Some(Failure {
                            kind: io_error_kind(&e),
                            message: format!("cannot spawn a thread: {e} (after {i} of {n} tasks)"),
                            at: atfailure::collect(&s.cg),
                        });
                        break;
                    }
                }
                threads_after_submit = procfs::read_threads();
            });
            Window { wall, open, close: s.now(), threads_after_submit, submit_failure: failure }
        }
        Model::Rayon(pool) => {
            let s: &Shared = shared;
            let mut threads_after_submit = 0;
            let wall = SystemTime::now();
            let open = s.now();
            submitted.open(open);
            pool.in_place_scope(|scope| {
                for i in 0..n {
                    submitted.record(i, s.now());
                    scope.spawn(move |_| s.cpu_task(i));
                }
                threads_after_submit = procfs::read_threads();
            });
            Window { wall, open, close: s.now(), threads_after_submit, submit_failure: None }
        }
    }
}

/// The runtime that ran: the compiler that built the runner, and the crate that is the model.
pub fn runtime_info(approach: Approach) -> RuntimeInfo {
    let rustc = env!("CONCBENCH_RUSTC_VERSION");
    let version = match approach {
        Approach::Tokio | Approach::TokioCurrentThread => format!("{rustc}; tokio {}", env!("CONCBENCH_TOKIO_VERSION")),
        Approach::Rayon => format!("{rustc}; rayon {}", env!("CONCBENCH_RAYON_VERSION")),
        Approach::TokioRayon => {
            format!("{rustc}; tokio {}; rayon {}", env!("CONCBENCH_TOKIO_VERSION"), env!("CONCBENCH_RAYON_VERSION"))
        }
        Approach::Threads => rustc.to_string(),
    };
    RuntimeInfo { name: "rustc".to_string(), version }
}

/// What the runner sees of its machine, read before the window.
pub fn environment(cg: &CgroupReader) -> Environment {
    Environment {
        cpu_count: sys::online_cpus(),
        parallelism: thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(1),
        affinity: procfs::read_status().ok().and_then(|s| s.cpus_allowed),
        hostname: sys::hostname(),
        cgroup: cg.info(),
    }
}

/// Runs one measured window and returns the filled document.
pub fn run_benchmark(cfg: &Config) -> Document {
    let cg = CgroupReader::new();
    let mut doc = Document::new(cfg.clone(), runtime_info(cfg.approach), environment(&cg));
    let n = cfg.tasks;
    let body = match cfg.workload {
        Workload::Io => Body::Wait(Duration::from_nanos(stats::wait_ns(cfg.io_ms))),
        Workload::Cpu => Body::Sha256 { payload_bytes: cfg.payload_bytes, repeat: cfg.repeat },
        Workload::CpuLoop => Body::Fnv { loop_bytes: cfg.loop_bytes },
        Workload::Mixed => {
            Body::Mixed { wait: Duration::from_nanos(stats::wait_ns(cfg.io_ms)), loop_bytes: cfg.loop_bytes }
        }
    };

    // --- before the window: the stamps, the model, the peak reset and the baselines.
    let with_woke = cfg.workload == Workload::Mixed;
    let stamps_and_log = Stamps::try_new(n, with_woke).and_then(|stamps| Ok((stamps, SubmitLog::try_new(n)?)));
    let (stamps, mut submitted) = match stamps_and_log {
        Ok(pair) => pair,
        Err(message) => {
            doc.fail(ErrorKind::OutOfMemory, message, Some(atfailure::collect(&cg)));
            return doc;
        }
    };
    let shared = Arc::new(Shared {
        origin: Instant::now(),
        stamps,
        body,
        tasks: n,
        cg: cg.clone(),
        first: OnceLock::new(),
        failure: OnceLock::new(),
        remaining: AtomicUsize::new(n),
        done: tokio::sync::Notify::new(),
    });
    let model = match build_model(cfg) {
        Ok(model) => model,
        Err((kind, message)) => {
            doc.fail(kind, message, Some(atfailure::collect(&cg)));
            return doc;
        }
    };
    let hwm_reset = procfs::reset_peak_rss();
    let before = match procfs::read_status() {
        Ok(status) => status,
        Err(message) => {
            doc.fail(ErrorKind::Internal, message, Some(atfailure::collect(&cg)));
            return doc;
        }
    };
    let usage0 = sys::process_usage();
    let cgroup_baseline = cg.memory_usage();
    let swap0 = procfs::read_swap();

    // --- the window.
    let mut window = run_window(&model, &shared, cfg, &mut submitted);

    // --- after the window: every figure of the window first.
    let swap1 = procfs::read_swap();
    let usage = sys::process_usage().since(&usage0);
    let after = procfs::read_status();
    let allocator = sys::allocator_view();
    let cgroup_peak = cg.memory_peak();
    drop(model); // a tokio runtime drops its (finished) tasks, and with them their Arc<Shared>
    doc.started_at = Some(sys::rfc3339(window.wall));

    let after = match after {
        Ok(status) => status,
        Err(message) => {
            doc.fail(ErrorKind::Internal, message, Some(atfailure::collect(&cg)));
            return doc;
        }
    };
    let failure = window.submit_failure.take().or_else(|| shared.failure.get().cloned());
    if let Some(f) = failure {
        doc.fail(f.kind, f.message, Some(f.at));
        return doc;
    }
    let Ok(mut shared) = Arc::try_unwrap(shared) else {
        doc.fail(ErrorKind::Internal, "a task still holds the stamps after the window", Some(atfailure::collect(&cg)));
        return doc;
    };
    doc.checksum = shared.first.get().cloned();
    let wait = shared.body.wait();
    if let Err(message) = measure_stamps(&mut doc, &mut shared.stamps, &submitted, &window, wait) {
        doc.fail(ErrorKind::Internal, message, Some(atfailure::collect(&cg)));
        return doc;
    }

    let total = window.close - window.open;
    let total_ms = stats::ns_to_ms(total);
    doc.total_ms = Some(total_ms);
    doc.throughput_per_s = Some(if total > 0 { n as f64 / (total as f64 / 1e9) } else { 0.0 });
    doc.cpu = Some(Cpu {
        user_s: usage.user.as_secs_f64(),
        system_s: usage.system.as_secs_f64(),
        voluntary_ctx_switches: usage.voluntary,
        involuntary_ctx_switches: usage.involuntary,
        peak_threads: before.threads.max(window.threads_after_submit).max(after.threads),
    });
    doc.memory = Some(Memory {
        baseline_rss_bytes: before.vm_rss,
        // VmHWM comes from the kernel's approximate RSS counter, VmRSS is exact: right after the reset
        // VmHWM can read a few pages below the baseline, so the peak is never below either VmRSS.
        peak_rss_bytes: procfs::peak_rss(after.vm_hwm, before.vm_rss, after.vm_rss),
        hwm_reset,
        vm_peak_bytes: after.vm_peak,
        cgroup_peak_bytes: cgroup_peak,
        cgroup_baseline_bytes: cgroup_baseline,
        allocator,
    });
    // Checks, read at the end: the cgroup's CPU next to the whole process's.
    let (swap_in, swap_out) = procfs::swap_delta(swap0, swap1);
    doc.checks = Some(Checks {
        cgroup_cpu_s: cg.cpu_usage_seconds(),
        process_cpu_s: sys::process_usage().cpu_seconds(),
        throttled_periods: cg.throttled_periods(),
        throttled_s: cg.throttled_seconds(),
        swap_in_pages: swap_in,
        swap_out_pages: swap_out,
    });
    doc
}

/// Latencies, wake-up error (for a body that waits: for mixed from woke - started, for io from the
/// service times, since woke is the finished stamp) and concurrency from the stamps (the last use
/// of them: they end up sorted in place).
fn measure_stamps(
    doc: &mut Document,
    stamps: &mut Stamps,
    submitted: &SubmitLog,
    window: &Window,
    wait: Option<Duration>,
) -> Result<(), String> {
    let started = plain(&mut stamps.started);
    let finished = plain(&mut stamps.finished);
    let woke = plain(&mut stamps.woke);
    let n = started.len();
    if submitted.len() != n || n == 0 {
        return Err(format!("{} submissions for {n} tasks", submitted.len()));
    }
    stats::check_intervals(started, finished).map_err(|e| format!("peak_running: {e}"))?;
    if !woke.is_empty() {
        stats::check_intervals(started, woke).map_err(|e| format!("woke: {e}"))?;
        stats::check_intervals(woke, finished).map_err(|e| format!("woke: {e}"))?;
    }
    if let Some((i, s)) = submitted.stamps().enumerate().find(|&(i, s)| finished[i] < s) {
        return Err(format!("peak_in_flight: interval {i} ends before it begins ({} < {s})", finished[i]));
    }
    // Submissions ascend from the window's opening: the last is the largest.
    let last = submitted.stamps().last().ok_or("no submissions")?;
    if submitted.opened() != window.open {
        return Err("the submission log did not open with the window".to_string());
    }

    let mut lat: Vec<u64> = Vec::new();
    lat.try_reserve_exact(n).map_err(|e| format!("cannot allocate the latencies of {n} tasks: {e}"))?;
    if let (Some(wait), false) = (wait, woke.is_empty()) {
        // mixed: the wait is woke - started, apart from the CPU work after it.
        lat.extend(woke.iter().zip(started.iter()).map(|(w, s)| w - s));
        lat.sort_unstable();
        doc.wakeup = Some(stats::wakeup_from_sorted(&lat, wait.as_nanos() as i128));
        lat.clear();
    }
    lat.extend(finished.iter().zip(started.iter()).map(|(f, s)| f - s));
    lat.sort_unstable();
    let (service, service_cdf) = stats::summarize_sorted_ns(&lat);
    if let (Some(wait), true) = (wait, woke.is_empty()) {
        // For io, woke is the finished stamp: the waits are the service times.
        doc.wakeup = Some(stats::wakeup_from_sorted(&lat, wait.as_nanos() as i128));
    }
    for (l, (f, s)) in lat.iter_mut().zip(finished.iter().zip(submitted.stamps())) {
        *l = f - s;
    }
    lat.sort_unstable();
    let (end_to_end, end_to_end_cdf) = stats::summarize_sorted_ns(&lat);
    drop(lat);
    doc.latency = Some(Latency { service, end_to_end, service_cdf, end_to_end_cdf });

    started.sort_unstable();
    finished.sort_unstable();
    doc.concurrency = Some(Concurrency {
        peak_running: stats::sweep_peak(started, finished),
        peak_in_flight: stats::sweep_peak_iter(submitted.stamps(), finished),
        submit_ms: stats::ns_to_ms(last - window.open),
    });
    Ok(())
}
