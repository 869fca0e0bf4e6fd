//! What std does not offer: getrusage, getrlimit, sysconf, gethostname, glibc's mallinfo2, and an
//! RFC 3339 rendering of the wall clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The part of getrusage(2) the runner reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub user: Duration,
    pub system: Duration,
    pub voluntary: i64,
    pub involuntary: i64,
    /// false when getrusage failed (all zero then).
    pub ok: bool,
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::from_secs(tv.tv_sec.max(0) as u64) + Duration::from_micros(tv.tv_usec.max(0) as u64)
}

fn getrusage(who: libc::c_int) -> Usage {
    // SAFETY: getrusage fills the zeroed struct it is given; nothing else is touched.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut ru) } != 0 {
        return Usage::default();
    }
    Usage {
        user: timeval(ru.ru_utime),
        system: timeval(ru.ru_stime),
        voluntary: ru.ru_nvcsw as i64,
        involuntary: ru.ru_nivcsw as i64,
        ok: true,
    }
}

/// RUSAGE_SELF (every thread of the process) plus RUSAGE_CHILDREN (always zero: the Rust runner
/// starts no process; kept so the sum is the contract's).
pub fn process_usage() -> Usage {
    let (me, children) = (getrusage(libc::RUSAGE_SELF), getrusage(libc::RUSAGE_CHILDREN));
    Usage {
        user: me.user + children.user,
        system: me.system + children.system,
        voluntary: me.voluntary + children.voluntary,
        involuntary: me.involuntary + children.involuntary,
        ok: me.ok && children.ok,
    }
}

impl Usage {
    /// The window's delta.
    pub fn since(&self, before: &Usage) -> Usage {
        Usage {
            user: self.user.saturating_sub(before.user),
            system: self.system.saturating_sub(before.system),
            voluntary: self.voluntary - before.voluntary,
            involuntary: self.involuntary - before.involuntary,
            ok: self.ok && before.ok,
        }
    }

    /// user + system in seconds; None when getrusage failed.
    pub fn cpu_seconds(&self) -> Option<f64> {
        self.ok.then(|| (self.user + self.system).as_secs_f64())
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
type RlimitResource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
type RlimitResource = libc::c_int;

/// The soft limit of an rlimit resource; None when unlimited or unreadable.
fn soft_rlimit(resource: RlimitResource) -> Option<u64> {
    // SAFETY: getrlimit fills the zeroed struct it is given.
    let mut lim: libc::rlimit = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrlimit(resource, &mut lim) } != 0 || lim.rlim_cur == libc::RLIM_INFINITY {
        return None;
    }
    Some(lim.rlim_cur)
}

/// RLIMIT_NPROC's soft limit; None when unlimited.
pub fn rlimit_nproc() -> Option<u64> {
    soft_rlimit(libc::RLIMIT_NPROC)
}

/// RLIMIT_AS's soft limit; None when unlimited.
pub fn rlimit_as() -> Option<u64> {
    soft_rlimit(libc::RLIMIT_AS)
}

/// Online CPUs (sysconf(_SC_NPROCESSORS_ONLN)), at least 1.
pub fn online_cpus() -> u64 {
    // SAFETY: sysconf has no memory effects.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    if n < 1 { 1 } else { n as u64 }
}

/// The host (or container) name; None when empty or unreadable.
pub fn hostname() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name = String::from_utf8_lossy(&buf[..end]).into_owned();
    (!name.is_empty()).then_some(name)
}

/// The allocator's own view (glibc malloc, mallinfo2): memory.runtime. Empty where the C
/// library is not glibc.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllocatorView {
    /// arena: bytes of the heaps malloc obtained with brk/mmap for small blocks (all arenas).
    pub heap_bytes: u64,
    /// hblkhd: bytes of the large blocks malloc mmapped one by one.
    pub mmap_bytes: u64,
    /// uordblks + hblkhd: bytes the program holds.
    pub in_use_bytes: u64,
    /// fordblks: free bytes inside the heaps.
    pub free_bytes: u64,
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn allocator_view() -> Option<AllocatorView> {
    // SAFETY: mallinfo2 (glibc >= 2.33) only reads the allocator's statistics.
    let info = unsafe { libc::mallinfo2() };
    Some(AllocatorView {
        heap_bytes: info.arena as u64,
        mmap_bytes: info.hblkhd as u64,
        in_use_bytes: (info.uordblks + info.hblkhd) as u64,
        free_bytes: info.fordblks as u64,
    })
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn allocator_view() -> Option<AllocatorView> {
    None
}

/// A wall-clock time as RFC 3339 in UTC with nanoseconds, e.g. 2026-11-27T03:21:00.123456789Z.
pub fn rfc3339(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:09}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_nanos()
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
