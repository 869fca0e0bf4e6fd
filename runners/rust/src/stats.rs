//! What is computed after the window from the stamps: nearest-rank percentiles, the wake-up
//! error and the measured concurrency (runners/README.md "Measurement rules"). Shared vectors:
//! schema/percentile_vectors.json, wakeup_vectors.json, concurrency_vectors.json.

/// The 0-based index of the p-th percentile (p in 0..=100) of n sorted samples:
/// rank(p, n) = max(1, ceil(p*n/100)), in integers (p*n + 99) / 100; value = sorted[rank - 1].
#[allow(clippy::manual_div_ceil)] // spelled as runners/README.md spells it
pub fn nearest_rank_index(p: usize, n: usize) -> usize {
    let rank = ((p as u128 * n as u128 + 99) / 100) as usize;
    rank.clamp(1, n.max(1)) - 1
}

/// The nearest-rank p-th percentile of ascending samples (not empty).
pub fn percentile<T: Copy>(sorted: &[T], p: usize) -> T {
    sorted[nearest_rank_index(p, sorted.len())]
}

/// latency_ms.service / end_to_end, float ms.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Distribution {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

/// Integer ns to float ms, without truncation.
pub fn ns_to_ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

/// The distribution and the 101-point CDF (p0..p100) of ascending samples (not empty), each
/// converted to ms by `ms`; `mean` is given by the caller (exact sums differ per sample type).
pub fn summarize_sorted<T: Copy>(sorted: &[T], ms: impl Fn(T) -> f64, mean: f64) -> (Distribution, Vec<f64>) {
    let dist = Distribution {
        p50: ms(percentile(sorted, 50)),
        p90: ms(percentile(sorted, 90)),
        p99: ms(percentile(sorted, 99)),
        max: ms(sorted[sorted.len() - 1]),
        mean,
    };
    let cdf = (0..=100).map(|p| ms(percentile(sorted, p))).collect();
    (dist, cdf)
}

/// summarize_sorted over integer ns; the mean from the exact integer sum.
pub fn summarize_sorted_ns(sorted: &[u64]) -> (Distribution, Vec<f64>) {
    let sum: u128 = sorted.iter().map(|&v| v as u128).sum();
    let mean = (sum as f64 / 1e6) / sorted.len() as f64;
    summarize_sorted(sorted, ns_to_ms, mean)
}

/// wakeup_ms.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Wakeup {
    pub early_tasks: u64,
    pub earliest: f64,
    pub p50: f64,
    pub p99: f64,
    pub latest: f64,
}

/// D in integer ns as every runner computes it: round(io_ms * 1e6), half to even.
pub fn wait_ns(io_ms: f64) -> u64 {
    (io_ms * 1e6).round_ties_even() as u64
}

/// wakeup_ms from the tasks' waits (woke - started, ns) sorted ascending: diff = wait - D per
/// task; early_tasks counts diff < 0; earliest/latest are min/max, p50/p99 nearest rank over the
/// sorted diffs; every value diff / 1e6 in ms. Subtracting the same D keeps the order, so the
/// runner passes its sorted service times (for io, woke is the finished stamp).
pub fn wakeup_from_sorted<T: Copy + Into<i128>>(sorted_waits: &[T], d_ns: i128) -> Wakeup {
    let diff_ms = |wait: T| (wait.into() - d_ns) as f64 / 1e6;
    Wakeup {
        early_tasks: sorted_waits.partition_point(|&w| w.into() < d_ns) as u64,
        earliest: diff_ms(sorted_waits[0]),
        p50: diff_ms(percentile(sorted_waits, 50)),
        p99: diff_ms(percentile(sorted_waits, 99)),
        latest: diff_ms(sorted_waits[sorted_waits.len() - 1]),
    }
}

/// The peak of the sweep over sorted begins and ends: +1 at a begin, -1 at an end, every end at
/// or before a begin's timestamp counted first (back-to-back tasks do not overlap); an empty
/// interval covers no instant; the peak of one or more intervals is at least 1.
pub fn sweep_peak(sorted_begins: &[u64], sorted_ends: &[u64]) -> u64 {
    sweep_peak_iter(sorted_begins.iter().copied(), sorted_ends)
}

/// sweep_peak over begins given in ascending order by an iterator (one per end).
pub fn sweep_peak_iter(sorted_begins: impl Iterator<Item = u64>, sorted_ends: &[u64]) -> u64 {
    let n = sorted_ends.len();
    if n == 0 {
        return 0;
    }
    let (mut running, mut peak, mut ended) = (0i64, 0i64, 0usize);
    for begin in sorted_begins {
        while ended < n && sorted_ends[ended] <= begin {
            ended += 1;
            running -= 1;
        }
        running += 1;
        peak = peak.max(running);
    }
    peak.max(1) as u64
}

/// One end per begin, and no interval ends before it begins.
pub fn check_intervals(begins: &[u64], ends: &[u64]) -> Result<(), String> {
    if begins.len() != ends.len() {
        return Err(format!("{} begins but {} ends", begins.len(), ends.len()));
    }
    match begins.iter().zip(ends).position(|(b, e)| e < b) {
        Some(i) => Err(format!("interval {i} ends before it begins ({} < {})", ends[i], begins[i])),
        None => Ok(()),
    }
}

/// The largest number of half-open intervals [begins[i], ends[i]) that contain one instant. It
/// sorts both slices in place (the pairing is lost; nothing is allocated).
pub fn peak_overlap(begins: &mut [u64], ends: &mut [u64]) -> Result<u64, String> {
    check_intervals(begins, ends)?;
    begins.sort_unstable();
    ends.sort_unstable();
    Ok(sweep_peak(begins, ends))
}

/// The `submitted` stamps, 4 bytes per task instead of 8: one thread submits the tasks in index
/// order, so each stamp is its predecessor's (the window's opening for task 0) plus a small gap,
/// kept exactly in integer ns as a u32. A gap of 2^32 - 1 ns (4.3 s) or more between two
/// submissions is kept whole in `overflow` (u32::MAX marks it). Written by the submitting thread
/// only; read back in order, the stamps ascend, so they need no sort for the in-flight sweep.
pub struct SubmitLog {
    deltas: Vec<u32>,
    overflow: Vec<(usize, u64)>,
    open: u64,
    prev: u64,
}

impl SubmitLog {
    /// A log for n tasks, its memory reserved and written (resident) now.
    pub fn try_new(n: usize) -> Result<SubmitLog, String> {
        let mut deltas = Vec::new();
        deltas.try_reserve_exact(n).map_err(|e| format!("cannot allocate the stamps of {n} tasks: {e}"))?;
        deltas.resize(n, 0);
        Ok(SubmitLog { deltas, overflow: Vec::with_capacity(16), open: 0, prev: 0 })
    }

    /// The window opened at `open`: task 0's gap is counted from it.
    pub fn open(&mut self, open: u64) {
        (self.open, self.prev) = (open, open);
    }

    /// Task i (the next in order) was submitted at `stamp`.
    #[inline]
    pub fn record(&mut self, i: usize, stamp: u64) {
        let gap = stamp.saturating_sub(self.prev);
        if gap < u64::from(u32::MAX) {
            self.deltas[i] = gap as u32;
        } else {
            self.deltas[i] = u32::MAX;
            self.overflow.push((i, stamp));
        }
        self.prev = stamp;
    }

    pub fn len(&self) -> usize {
        self.deltas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.deltas.is_empty()
    }

    /// The window's opening.
    pub fn opened(&self) -> u64 {
        self.open
    }

    /// The stamps in task order (ascending).
    pub fn stamps(&self) -> impl Iterator<Item = u64> + '_ {
        let mut overflow = self.overflow.iter().peekable();
        let mut at = self.open;
        self.deltas.iter().enumerate().map(move |(i, &gap)| {
            if gap == u32::MAX {
                if let Some(&&(j, stamp)) = overflow.peek() {
                    if j == i {
                        overflow.next();
                        at = stamp;
                        return at;
                    }
                }
            }
            at += u64::from(gap);
            at
        })
    }
}
