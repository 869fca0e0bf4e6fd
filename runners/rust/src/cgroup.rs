//! The runner's own cgroup (v1 or v2), resolved as runners/README.md says (memory step 5) and as
//! schema/cgroup_vectors.json checks: the own path comes from /proc/self/cgroup, joined to the
//! mount point, falling back to the mount root when that joined path does not exist (a container
//! without a cgroup namespace sees the host's path). A path of "/" means no cgroup of its own
//! (every value is then None), except on v2 where a namespaced container sees its own cgroup as
//! "0::/": there the mount root counts when it has memory.max (the real root never has one).

use std::fs;
use std::path::{Path, PathBuf};

/// A v1 limit at or above 2^60 is "no limit".
const UNLIMITED_BYTES: u64 = 1 << 60;

#[derive(Clone, Debug)]
pub struct CgroupReader {
    /// Normally /sys/fs/cgroup.
    pub mount_root: PathBuf,
    /// The contents of /proc/self/cgroup.
    pub self_cgroup: String,
}

/// environment.cgroup.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CgroupInfo {
    pub version: Option<u8>,
    pub cpu_quota_cores: Option<f64>,
    pub cpuset: Option<String>,
    pub memory_limit_bytes: Option<u64>,
}

impl CgroupReader {
    pub fn new() -> CgroupReader {
        CgroupReader {
            mount_root: PathBuf::from("/sys/fs/cgroup"),
            self_cgroup: fs::read_to_string("/proc/self/cgroup").unwrap_or_default(),
        }
    }

    /// 2 if <mnt>/cgroup.controllers exists, 1 if <mnt>/memory exists, None when neither does.
    pub fn version(&self) -> Option<u8> {
        if self.mount_root.join("cgroup.controllers").exists() {
            Some(2)
        } else if self.mount_root.join("memory").exists() {
            Some(1)
        } else {
            None
        }
    }

    /// The directory of the own cgroup for a v1 controller (ignored on v2); None when there is
    /// none of its own (root "/", no matching line, nothing mounted).
    fn own_dir(&self, version: Option<u8>, controller: &str) -> Option<PathBuf> {
        for line in self.self_cgroup.lines() {
            let mut parts = line.trim().splitn(3, ':');
            let (Some(hierarchy), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let mounts: Vec<PathBuf> = match version {
                Some(2) => {
                    if hierarchy != "0" || !controllers.is_empty() {
                        continue;
                    }
                    vec![self.mount_root.clone()]
                }
                Some(1) => {
                    if !controllers.split(',').any(|c| c == controller) {
                        continue;
                    }
                    // /sys/fs/cgroup/cpu is usually a link to /sys/fs/cgroup/cpu,cpuacct.
                    vec![self.mount_root.join(controller), self.mount_root.join(controllers)]
                }
                _ => return None,
            };
            if path == "/" || path.is_empty() {
                if version == Some(2) && self.mount_root.join("memory.max").exists() {
                    return Some(self.mount_root.clone());
                }
                return None;
            }
            for mount in mounts {
                if !mount.is_dir() {
                    continue;
                }
                let joined = mount.join(path.trim_start_matches('/'));
                return Some(if joined.is_dir() { joined } else { mount });
            }
            return None;
        }
        None
    }

    /// The trimmed contents of `name` in the own cgroup of `controller`.
    fn read(&self, version: Option<u8>, controller: &str, name: &str) -> Option<String> {
        let dir = self.own_dir(version, controller)?;
        Some(fs::read_to_string(dir.join(name)).ok()?.trim().to_string())
    }

    /// A file holding one integer >= 0; None when absent, "max" or anything else.
    fn non_negative(&self, version: Option<u8>, controller: &str, name: &str) -> Option<u64> {
        self.read(version, controller, name)?.parse().ok()
    }

    /// memory.cgroup_peak_bytes: v2 memory.peak, v1 memory.max_usage_in_bytes.
    pub fn memory_peak(&self) -> Option<u64> {
        match self.version() {
            v @ Some(2) => self.non_negative(v, "memory", "memory.peak"),
            v @ Some(1) => self.non_negative(v, "memory", "memory.max_usage_in_bytes"),
            _ => None,
        }
    }

    /// memory.cgroup_baseline_bytes: v2 memory.current, v1 memory.usage_in_bytes.
    pub fn memory_usage(&self) -> Option<u64> {
        match self.version() {
            v @ Some(2) => self.non_negative(v, "memory", "memory.current"),
            v @ Some(1) => self.non_negative(v, "memory", "memory.usage_in_bytes"),
            _ => None,
        }
    }

    /// v2 memory.max, v1 memory.limit_in_bytes; None when unlimited ("max" or >= 2^60).
    pub fn memory_limit(&self) -> Option<u64> {
        let text = match self.version() {
            v @ Some(2) => self.read(v, "memory", "memory.max")?,
            v @ Some(1) => self.read(v, "memory", "memory.limit_in_bytes")?,
            _ => return None,
        };
        text.parse::<u64>().ok().filter(|&n| n < UNLIMITED_BYTES)
    }

    /// v2 cpu.max "QUOTA PERIOD", v1 cpu.cfs_quota_us / cpu.cfs_period_us; None when unlimited.
    pub fn cpu_quota_cores(&self) -> Option<f64> {
        let (quota, period): (i64, i64) = match self.version() {
            v @ Some(2) => {
                let text = self.read(v, "cpu", "cpu.max")?;
                let mut fields = text.split_whitespace();
                let (quota, period) = (fields.next()?, fields.next()?);
                if fields.next().is_some() || quota == "max" {
                    return None;
                }
                (quota.parse().ok()?, period.parse().ok()?)
            }
            v @ Some(1) => (
                self.read(v, "cpu", "cpu.cfs_quota_us")?.parse().ok()?,
                self.read(v, "cpu", "cpu.cfs_period_us")?.parse().ok()?,
            ),
            _ => return None,
        };
        if quota <= 0 || period <= 0 {
            return None;
        }
        Some(quota as f64 / period as f64)
    }

    /// v2 cpuset.cpus.effective, v1 cpuset.effective_cpus then cpuset.cpus.
    pub fn cpuset(&self) -> Option<String> {
        let v = self.version();
        let names: &[&str] = match v {
            Some(2) => &["cpuset.cpus.effective"],
            Some(1) => &["cpuset.effective_cpus", "cpuset.cpus"],
            _ => &[],
        };
        names.iter().filter_map(|name| self.read(v, "cpuset", name)).find(|s| !s.is_empty())
    }

    pub fn info(&self) -> CgroupInfo {
        CgroupInfo {
            version: self.version(),
            cpu_quota_cores: self.cpu_quota_cores(),
            cpuset: self.cpuset(),
            memory_limit_bytes: self.memory_limit(),
        }
    }

    /// One key of the cpu controller's cpu.stat; None when the file or the key is absent.
    fn cpu_stat(&self, key: &str) -> Option<u64> {
        let text = self.read(self.version(), "cpu", "cpu.stat")?;
        text.lines().find_map(|line| {
            let mut fields = line.split_whitespace();
            match (fields.next(), fields.next(), fields.next()) {
                (Some(k), Some(value), None) if k == key => value.parse().ok(),
                _ => None,
            }
        })
    }

    /// checks.cgroup_cpu_s: v2 cpu.stat usage_usec / 1e6; v1 cpuacct.usage / 1e9 (controller
    /// cpuacct, mounted alone or co-mounted as cpu,cpuacct).
    pub fn cpu_usage_seconds(&self) -> Option<f64> {
        match self.version() {
            Some(2) => self.cpu_stat("usage_usec").map(|n| n as f64 / 1e6),
            v @ Some(1) => self.non_negative(v, "cpuacct", "cpuacct.usage").map(|n| n as f64 / 1e9),
            _ => None,
        }
    }

    /// cpu.stat nr_throttled (v1 and v2).
    pub fn throttled_periods(&self) -> Option<u64> {
        self.cpu_stat("nr_throttled")
    }

    /// v2 cpu.stat throttled_usec / 1e6, v1 throttled_time / 1e9.
    pub fn throttled_seconds(&self) -> Option<f64> {
        match self.version() {
            Some(2) => self.cpu_stat("throttled_usec").map(|n| n as f64 / 1e6),
            Some(1) => self.cpu_stat("throttled_time").map(|n| n as f64 / 1e9),
            _ => None,
        }
    }

    /// The pids controller's pids.current.
    pub fn pids_current(&self) -> Option<u64> {
        self.non_negative(self.version(), "pids", "pids.current")
    }

    /// The pids controller's pids.max; None when "max".
    pub fn pids_max(&self) -> Option<u64> {
        self.non_negative(self.version(), "pids", "pids.max")
    }
}

impl Default for CgroupReader {
    fn default() -> Self {
        CgroupReader::new()
    }
}

/// A reader over a fake cgroup tree (tests).
pub fn reader_at(mount_root: &Path, self_cgroup: &str) -> CgroupReader {
    CgroupReader { mount_root: mount_root.to_path_buf(), self_cgroup: self_cgroup.to_string() }
}
