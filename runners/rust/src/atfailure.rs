//! error.at_failure: what the runner counted when a run failed, beside the limits that bind those
//! counts. Every field is None (null) where it cannot be read.
//!
//! Read where the failure is handled, before waiting for the tasks already started: a thread
//! that could not spawn (the submission loop stops and reads it before the scope joins the
//! threads that did start), a runtime or pool that could not start its threads, a task that
//! panicked or could not allocate its input (read in that task, the first one to fail), memory
//! for the stamps that could not be reserved. What Rust cannot catch: an allocation that fails
//! inside std or tokio aborts the process ("memory allocation of N bytes failed"), and tokio
//! panics when its blocking pool cannot spawn a thread; the orchestrator classifies those endings
//! by the contract's last_words.

use crate::cgroup::CgroupReader;
use crate::procfs;
use crate::sys;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AtFailure {
    pub threads: Option<u64>,
    pub memory_maps: Option<u64>,
    pub pids: Option<u64>,
    pub rss_bytes: Option<u64>,
    pub vm_size_bytes: Option<u64>,
    pub limits: Limits,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Limits {
    pub pids_max: Option<u64>,
    pub pid_max: Option<u64>,
    pub threads_max: Option<u64>,
    pub max_map_count: Option<u64>,
    pub rlimit_nproc: Option<u64>,
    pub rlimit_as_bytes: Option<u64>,
    pub memory_limit_bytes: Option<u64>,
}

/// Reads the counts and the limits now.
pub fn collect(cg: &CgroupReader) -> AtFailure {
    let status = procfs::read_status().ok();
    AtFailure {
        threads: status.as_ref().map(|s| s.threads),
        memory_maps: procfs::count_lines("/proc/self/maps"),
        pids: cg.pids_current(),
        rss_bytes: status.as_ref().map(|s| s.vm_rss),
        vm_size_bytes: status.as_ref().and_then(|s| s.vm_size),
        limits: Limits {
            pids_max: cg.pids_max(),
            pid_max: procfs::read_u64_file("/proc/sys/kernel/pid_max"),
            threads_max: procfs::read_u64_file("/proc/sys/kernel/threads-max"),
            max_map_count: procfs::read_u64_file("/proc/sys/vm/max_map_count"),
            rlimit_nproc: sys::rlimit_nproc(),
            rlimit_as_bytes: sys::rlimit_as(),
            memory_limit_bytes: cg.memory_limit(),
        },
    }
}
