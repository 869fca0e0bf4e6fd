//! The result document (schema/result.schema.json, schema_version 2) and its JSON text.

use crate::args::{Config, Workload};
use crate::atfailure::AtFailure;
use crate::cgroup::CgroupInfo;
use crate::json::Writer;
use crate::stats::{Distribution, Wakeup};
use crate::sys::AllocatorView;

/// The contract's schema_version (schema/README.md "the version rule"); tests/contract.rs fails
/// until the two agree.
pub const SCHEMA_VERSION: u64 = 2;
pub const LANGUAGE: &str = "rust";

/// The contract's exit_codes; tests/contract.rs checks them.
pub const EXIT_OK: i32 = 0;
pub const EXIT_RUN_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// Every error.kind this runner produces: one of the contract's runner kinds
/// (tests/contract.rs checks every variant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    ResourceExhausted,
    OutOfMemory,
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 3] = [ErrorKind::ResourceExhausted, ErrorKind::OutOfMemory, ErrorKind::Internal];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::ResourceExhausted => "resource_exhausted",
            ErrorKind::OutOfMemory => "out_of_memory",
            ErrorKind::Internal => "internal",
        }
    }
}

/// error: why the run failed.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    pub kind: ErrorKind,
    pub message: String,
    pub at_failure: Option<AtFailure>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Latency {
    pub service: Distribution,
    pub end_to_end: Distribution,
    pub service_cdf: Vec<f64>,
    pub end_to_end_cdf: Vec<f64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Memory {
    pub baseline_rss_bytes: u64,
    pub peak_rss_bytes: u64,
    pub hwm_reset: bool,
    pub vm_peak_bytes: Option<u64>,
    pub cgroup_peak_bytes: Option<u64>,
    pub cgroup_baseline_bytes: Option<u64>,
    /// The allocator's view after the window (None: not glibc, `runtime` is then {}).
    pub allocator: Option<AllocatorView>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cpu {
    pub user_s: f64,
    pub system_s: f64,
    pub voluntary_ctx_switches: i64,
    pub involuntary_ctx_switches: i64,
    pub peak_threads: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Concurrency {
    pub peak_running: u64,
    pub peak_in_flight: u64,
    pub submit_ms: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Checks {
    pub cgroup_cpu_s: Option<f64>,
    pub process_cpu_s: Option<f64>,
    pub throttled_periods: Option<u64>,
    pub throttled_s: Option<f64>,
    pub swap_in_pages: Option<u64>,
    pub swap_out_pages: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Environment {
    pub cpu_count: u64,
    pub parallelism: u64,
    pub affinity: Option<String>,
    pub hostname: Option<String>,
    pub cgroup: CgroupInfo,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeInfo {
    pub name: String,
    pub version: String,
}

/// One run's document. Measurements are None until measured, and stay None in an error document.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub config: Config,
    pub error: Option<RunError>,
    pub started_at: Option<String>,
    pub total_ms: Option<f64>,
    pub throughput_per_s: Option<f64>,
    pub latency: Option<Latency>,
    pub memory: Option<Memory>,
    pub cpu: Option<Cpu>,
    pub concurrency: Option<Concurrency>,
    pub checksum: Option<String>,
    pub wakeup: Option<Wakeup>,
    pub checks: Option<Checks>,
    pub runtime: RuntimeInfo,
    pub environment: Environment,
}

impl Document {
    pub fn new(config: Config, runtime: RuntimeInfo, environment: Environment) -> Document {
        Document {
            config,
            error: None,
            started_at: None,
            total_ms: None,
            throughput_per_s: None,
            latency: None,
            memory: None,
            cpu: None,
            concurrency: None,
            checksum: None,
            wakeup: None,
            checks: None,
            runtime,
            environment,
        }
    }

    pub fn ok(&self) -> bool {
        self.error.is_none()
    }

    /// Turns the document into an error document: every measurement becomes null (concurrency,
    /// wakeup_ms and checks absent).
    pub fn fail(&mut self, kind: ErrorKind, message: impl Into<String>, at_failure: Option<AtFailure>) {
        self.error = Some(RunError { kind, message: message.into(), at_failure });
        self.total_ms = None;
        self.throughput_per_s = None;
        self.latency = None;
        self.memory = None;
        self.cpu = None;
        self.concurrency = None;
        self.checksum = None;
        self.wakeup = None;
        self.checks = None;
    }

    /// The document as one line of JSON followed by a newline.
    pub fn to_json(&self) -> String {
        let mut w = Writer::new();
        w.begin_object();
        w.key("schema_version").uint(SCHEMA_VERSION);
        w.key("language").string(LANGUAGE);
        w.key("approach").string(self.config.approach.name());
        w.key("status").string(if self.ok() { "ok" } else { "error" });
        w.key("error");
        match &self.error {
            None => {
                w.null();
            }
            Some(e) => write_error(&mut w, e),
        }
        write_workload(&mut w, &self.config);
        if let Some(started) = &self.started_at {
            w.key("started_at").string(started);
        }
        w.key("total_ms").opt_float(self.total_ms);
        w.key("throughput_per_s").opt_float(self.throughput_per_s);
        w.key("latency_ms");
        match &self.latency {
            None => w.null(),
            Some(l) => {
                w.begin_object();
                write_distribution(&mut w, "service", &l.service);
                write_distribution(&mut w, "end_to_end", &l.end_to_end);
                w.key("cdf").begin_object();
                w.key("service").floats(&l.service_cdf);
                w.key("end_to_end").floats(&l.end_to_end_cdf);
                w.end_object().end_object()
            }
        };
        w.key("memory");
        match &self.memory {
            None => w.null(),
            Some(m) => write_memory(&mut w, m, self.config.tasks),
        };
        w.key("cpu");
        match &self.cpu {
            None => w.null(),
            Some(c) => {
                w.begin_object();
                w.key("user_s").float(c.user_s);
                w.key("system_s").float(c.system_s);
                w.key("voluntary_ctx_switches").int(c.voluntary_ctx_switches.max(0));
                w.key("involuntary_ctx_switches").int(c.involuntary_ctx_switches.max(0));
                w.key("peak_threads").uint(c.peak_threads.max(1));
                w.end_object()
            }
        };
        if let Some(c) = &self.concurrency {
            w.key("concurrency").begin_object();
            w.key("peak_running").uint(c.peak_running);
            w.key("peak_in_flight").uint(c.peak_in_flight);
            w.key("submit_ms").float(c.submit_ms);
            w.end_object();
        }
        w.key("checksum").opt_string(self.checksum.as_deref());
        w.key("runtime").begin_object();
        w.key("name").string(&self.runtime.name);
        w.key("version").string(&self.runtime.version);
        w.end_object();
        write_environment(&mut w, &self.environment);
        if self.ok() {
            // Ok documents only: null where they do not apply (wakeup_ms for cpu, cpu-loop).
            w.key("wakeup_ms");
            match &self.wakeup {
                None => w.null(),
                Some(u) => {
                    w.begin_object();
                    w.key("early_tasks").uint(u.early_tasks);
                    w.key("earliest").float(u.earliest);
                    w.key("p50").float(u.p50);
                    w.key("p99").float(u.p99);
                    w.key("latest").float(u.latest);
                    w.end_object()
                }
            };
            w.key("checks");
            match &self.checks {
                None => w.null(),
                Some(c) => {
                    w.begin_object();
                    w.key("cgroup_cpu_s").opt_float(c.cgroup_cpu_s);
                    w.key("process_cpu_s").opt_float(c.process_cpu_s);
                    w.key("throttled_periods").opt_uint(c.throttled_periods);
                    w.key("throttled_s").opt_float(c.throttled_s);
                    w.key("swap_in_pages").opt_uint(c.swap_in_pages);
                    w.key("swap_out_pages").opt_uint(c.swap_out_pages);
                    w.end_object()
                }
            };
        }
        w.end_object();
        let mut text = w.finish();
        text.push('\n');
        text
    }
}

fn write_error(w: &mut Writer, e: &RunError) {
    w.begin_object();
    w.key("kind").string(e.kind.as_str());
    w.key("message").string(&e.message);
    if let Some(at) = &e.at_failure {
        w.key("at_failure").begin_object();
        w.key("threads").opt_uint(at.threads);
        w.key("memory_maps").opt_uint(at.memory_maps);
        w.key("pids").opt_uint(at.pids);
        w.key("rss_bytes").opt_uint(at.rss_bytes);
        w.key("limits").begin_object();
        let l = &at.limits;
        w.key("pids_max").opt_uint(l.pids_max);
        w.key("pid_max").opt_uint(l.pid_max);
        w.key("threads_max").opt_uint(l.threads_max);
        w.key("max_map_count").opt_uint(l.max_map_count);
        w.key("rlimit_nproc").opt_uint(l.rlimit_nproc);
        w.key("rlimit_as_bytes").opt_uint(l.rlimit_as_bytes);
        w.key("memory_limit_bytes").opt_uint(l.memory_limit_bytes);
        w.end_object();
        w.key("vm_size_bytes").opt_uint(at.vm_size_bytes);
        w.end_object();
    }
    w.end_object();
}

/// workload: the options that apply to the case; pool_size and workers always present, null
/// where they do not size the approach; another workload's options left out.
fn write_workload(w: &mut Writer, cfg: &Config) {
    w.key("workload").begin_object();
    w.key("kind").string(cfg.workload.name());
    w.key("tasks").uint(cfg.tasks as u64);
    match cfg.workload {
        Workload::Io => {
            w.key("io_ms").float(cfg.io_ms);
        }
        Workload::Cpu => {
            w.key("payload_bytes").uint(cfg.payload_bytes as u64);
            w.key("repeat").uint(cfg.repeat as u64);
        }
        Workload::CpuLoop => {
            w.key("loop_bytes").uint(cfg.loop_bytes as u64);
        }
        Workload::Mixed => {
            w.key("io_ms").float(cfg.io_ms);
            w.key("loop_bytes").uint(cfg.loop_bytes as u64);
        }
    }
    w.key("pool_size").null();
    w.key("workers");
    if cfg.approach.sized_by_workers() {
        w.uint(cfg.workers as u64);
    } else {
        w.null();
    }
    w.end_object();
}

fn write_distribution(w: &mut Writer, key: &str, d: &Distribution) {
    w.key(key).begin_object();
    w.key("p50").float(d.p50);
    w.key("p90").float(d.p90);
    w.key("p99").float(d.p99);
    w.key("max").float(d.max);
    w.key("mean").float(d.mean);
    w.end_object();
}

fn write_memory<'a>(w: &'a mut Writer, m: &Memory, tasks: usize) -> &'a mut Writer {
    w.begin_object();
    w.key("baseline_rss_bytes").uint(m.baseline_rss_bytes);
    w.key("peak_rss_bytes").uint(m.peak_rss_bytes);
    w.key("per_task_bytes").float((m.peak_rss_bytes as f64 - m.baseline_rss_bytes as f64) / tasks as f64);
    w.key("hwm_reset").bool(m.hwm_reset);
    w.key("vm_peak_bytes").opt_uint(m.vm_peak_bytes);
    w.key("cgroup_peak_bytes").opt_uint(m.cgroup_peak_bytes);
    w.key("runtime").begin_object();
    if let Some(a) = &m.allocator {
        w.key("malloc_in_use_bytes").uint(a.in_use_bytes);
        w.key("malloc_heap_bytes").uint(a.heap_bytes);
        w.key("malloc_mmap_bytes").uint(a.mmap_bytes);
        w.key("malloc_free_bytes").uint(a.free_bytes);
    }
    w.end_object();
    // One process: the runner's own VmHWM is the sum.
    w.key("processes").begin_object();
    w.key("count").uint(1);
    w.key("peak_rss_sum_bytes").uint(m.peak_rss_bytes);
    w.end_object();
    w.key("cgroup_baseline_bytes").opt_uint(m.cgroup_baseline_bytes);
    w.end_object()
}

fn write_environment(w: &mut Writer, env: &Environment) {
    w.key("environment").begin_object();
    w.key("cpu_count").uint(env.cpu_count.max(1));
    w.key("parallelism").uint(env.parallelism.max(1));
    w.key("affinity").opt_string(env.affinity.as_deref());
    w.key("hostname").opt_string(env.hostname.as_deref());
    w.key("cgroup").begin_object();
    w.key("version").opt_uint(env.cgroup.version.map(u64::from));
    w.key("cpu_quota_cores").opt_float(env.cgroup.cpu_quota_cores);
    w.key("cpuset").opt_string(env.cgroup.cpuset.as_deref());
    w.key("memory_limit_bytes").opt_uint(env.cgroup.memory_limit_bytes);
    w.end_object();
    w.end_object();
}
