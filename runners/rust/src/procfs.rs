//! /proc/self/status, /proc/self/clear_refs and /proc/vmstat.

use std::fs;
use std::io::Read;

pub const PROC_SELF_STATUS: &str = "/proc/self/status";

/// The fields of /proc/self/status the runner uses (bytes, counts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcStatus {
    pub vm_rss: u64,
    pub vm_hwm: u64,
    pub vm_peak: Option<u64>,
    pub vm_size: Option<u64>,
    pub threads: u64,
    /// Cpus_allowed_list, e.g. "0-1".
    pub cpus_allowed: Option<String>,
}

/// Reads and parses /proc/self/status.
pub fn read_status() -> Result<ProcStatus, String> {
    let text = fs::read_to_string(PROC_SELF_STATUS).map_err(|e| format!("cannot read {PROC_SELF_STATUS}: {e}"))?;
    parse_status(&text)
}

/// Parses the text of a /proc/<pid>/status file; VmRSS, VmHWM and Threads are required.
pub fn parse_status(text: &str) -> Result<ProcStatus, String> {
    let mut st = ProcStatus::default();
    let (mut rss, mut hwm, mut threads) = (false, false, false);
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match key {
            "VmRSS" => (st.vm_rss, rss) = kb(value).map_or((0, false), |v| (v, true)),
            "VmHWM" => (st.vm_hwm, hwm) = kb(value).map_or((0, false), |v| (v, true)),
            "VmPeak" => st.vm_peak = kb(value),
            "VmSize" => st.vm_size = kb(value),
            "Threads" => (st.threads, threads) = value.parse().map_or((0, false), |v| (v, true)),
            "Cpus_allowed_list" if !value.is_empty() => st.cpus_allowed = Some(value.to_string()),
            _ => {}
        }
    }
    if rss && hwm && threads { Ok(st) } else { Err(format!("{PROC_SELF_STATUS} lacks VmRSS, VmHWM or Threads")) }
}

/// "1234 kB" in bytes.
fn kb(value: &str) -> Option<u64> {
    value.split_whitespace().next()?.parse::<u64>().ok()?.checked_mul(1024)
}

/// The Threads: count of /proc/self/status, 0 when unreadable.
pub fn read_threads() -> u64 {
    read_status().map(|s| s.threads).unwrap_or(0)
}

/// Writes "5" to /proc/self/clear_refs, which resets VmHWM to the current RSS (Linux >= 4.0);
/// whether that worked.
pub fn reset_peak_rss() -> bool {
    fs::write("/proc/self/clear_refs", b"5").is_ok()
}

/// memory.peak_rss_bytes: the VmHWM read after the window, never below the exact VmRSS read at the
/// window's opening (the baseline) or with that VmHWM after it. The kernel keeps VmHWM from its
/// approximate (per-CPU batched) RSS counter while VmRSS is exact, so the true peak is at least every
/// exact reading (Go's peakRSS, Node's peakRss, Python's peak_rss).
pub fn peak_rss(hwm_after: u64, baseline_rss: u64, rss_after: u64) -> u64 {
    hwm_after.max(baseline_rss).max(rss_after)
}

/// /proc/vmstat pswpin and pswpout (pages, host-wide); None when either is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwapCounters {
    pub pages_in: u64,
    pub pages_out: u64,
}

pub fn read_swap() -> Option<SwapCounters> {
    parse_vmstat(&fs::read_to_string("/proc/vmstat").ok()?)
}

pub fn parse_vmstat(text: &str) -> Option<SwapCounters> {
    let (mut pages_in, mut pages_out) = (None, None);
    for line in text.lines() {
        let Some((key, value)) = line.split_once(' ') else { continue };
        match key {
            "pswpin" => pages_in = Some(value.trim().parse().ok()?),
            "pswpout" => pages_out = Some(value.trim().parse().ok()?),
            _ => {}
        }
    }
    Some(SwapCounters { pages_in: pages_in?, pages_out: pages_out? })
}

/// Pages swapped in and out between two reads; None where a read failed.
pub fn swap_delta(before: Option<SwapCounters>, after: Option<SwapCounters>) -> (Option<u64>, Option<u64>) {
    match (before, after) {
        (Some(b), Some(a)) if a.pages_in >= b.pages_in && a.pages_out >= b.pages_out => {
            (Some(a.pages_in - b.pages_in), Some(a.pages_out - b.pages_out))
        }
        _ => (None, None),
    }
}

/// The integer a one-value file (/proc/sys/...) holds; None when unreadable.
pub fn read_u64_file(path: &str) -> Option<u64> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// The lines of a file, counted without holding all of it (a process near vm.max_map_count has
/// ~65k lines in /proc/self/maps); None when unreadable.
pub fn count_lines(path: &str) -> Option<u64> {
    let mut file = fs::File::open(path).ok()?;
    let mut buf = vec![0u8; 32 * 1024];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let k = file.read(&mut buf).ok()?;
        if k == 0 {
            break;
        }
        lines += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[k - 1];
    }
    if last != b'\n' {
        lines += 1; // a last line without its newline
    }
    Some(lines)
}
