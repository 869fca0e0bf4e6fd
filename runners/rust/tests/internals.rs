//! The small parts: /proc parsing, the cgroup reader on fake trees, error.at_failure, the wall
//! clock's RFC 3339 form, the JSON writer and reader, the task inputs.

mod common;

use std::fs;
use std::time::{Duration, UNIX_EPOCH};

use concbench_runner::atfailure;
use concbench_runner::cgroup::reader_at;
use concbench_runner::json::{self, Value, Writer};
use concbench_runner::procfs;
use concbench_runner::result::ErrorKind;
use concbench_runner::sys;
use concbench_runner::work;

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("concbench-rust-internals-{}-{tag}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

fn write_tree(root: &std::path::Path, files: &[(&str, &str)]) {
    for (rel, content) in files {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        fs::write(path, content).expect("write");
    }
}

#[test]
fn proc_status_parses() {
    let text = "Name:\trunner\nVmPeak:\t  10240 kB\nVmSize:\t   9216 kB\nVmHWM:\t    4096 kB\nVmRSS:\t    2048 kB\n\
                Threads:\t7\nCpus_allowed_list:\t0-1\n";
    let st = procfs::parse_status(text).expect("parsed");
    assert_eq!(
        (st.vm_rss, st.vm_hwm, st.vm_peak, st.vm_size),
        (2048 * 1024, 4096 * 1024, Some(10240 * 1024), Some(9216 * 1024))
    );
    assert_eq!((st.threads, st.cpus_allowed.as_deref()), (7, Some("0-1")));
    assert!(procfs::parse_status("VmRSS:\t1 kB\nThreads:\t1\n").is_err(), "VmHWM is required");
    let me = procfs::read_status().expect("/proc/self/status");
    assert!(me.threads >= 1 && me.vm_rss > 0 && me.vm_hwm > 0);
}

/// peak_rss: VmHWM, but never below an exact VmRSS reading of the window (the kernel keeps VmHWM from
/// its approximate RSS counter; on kernel 6.18 it can read a few pages below the baseline VmRSS).
#[test]
fn peak_rss_never_below_exact_rss() {
    const PAGE: u64 = 4096;
    let cases = [
        ("VmHWM above both readings: VmHWM", 900 * PAGE, 800 * PAGE, 850 * PAGE, 900 * PAGE),
        ("VmHWM below the baseline: the baseline", 780 * PAGE, 800 * PAGE, 790 * PAGE, 800 * PAGE),
        ("VmHWM below the reading after the window: that reading", 800 * PAGE, 790 * PAGE, 812 * PAGE, 812 * PAGE),
        ("all equal", 800 * PAGE, 800 * PAGE, 800 * PAGE, 800 * PAGE),
    ];
    for (name, hwm, baseline, rss_after, want) in cases {
        let got = procfs::peak_rss(hwm, baseline, rss_after);
        assert_eq!(got, want, "{name}: peak_rss({hwm}, {baseline}, {rss_after})");
        assert!(
            got >= hwm && got >= baseline && got >= rss_after,
            "{name}: peak_rss = {got} is below one of its readings"
        );
    }
}

#[test]
fn vmstat_and_swap_delta() {
    let a = procfs::parse_vmstat("nr_free_pages 1\npswpin 10\npswpout 20\n").expect("both counters");
    let b = procfs::parse_vmstat("pswpin 15\npswpout 20\n").expect("both counters");
    assert_eq!(procfs::swap_delta(Some(a), Some(b)), (Some(5), Some(0)));
    assert_eq!(procfs::swap_delta(Some(b), Some(a)), (None, None), "counters never go back");
    assert_eq!(procfs::parse_vmstat("pswpin 1\n"), None);
    assert_eq!(procfs::swap_delta(None, Some(a)), (None, None));
}

#[test]
fn count_lines_and_u64_files() {
    let dir = temp_dir("lines");
    for (content, want) in [("", 0), ("a\n", 1), ("a\nb\n", 2), ("a\nb", 2)] {
        let path = dir.join("f");
        fs::write(&path, content).expect("write");
        assert_eq!(procfs::count_lines(path.to_str().expect("utf-8")), Some(want), "{content:?}");
        fs::write(&path, format!("{want}\n")).expect("write");
        assert_eq!(procfs::read_u64_file(path.to_str().expect("utf-8")), Some(want));
    }
    assert_eq!(procfs::count_lines(dir.join("missing").to_str().expect("utf-8")), None);
    let _ = fs::remove_dir_all(dir);
}

/// The pids count and the pids and memory limits come from the own cgroup (a fake v2 tree); the
/// rest from this process and machine.
#[test]
fn at_failure_reads_the_cgroup_and_the_limits() {
    let root = temp_dir("atf");
    write_tree(
        &root,
        &[
            ("cgroup.controllers", "cpu memory pids\n"),
            ("bench/r/pids.current", "17\n"),
            ("bench/r/pids.max", "4096\n"),
            ("bench/r/memory.max", "268435456\n"),
        ],
    );
    let at = atfailure::collect(&reader_at(&root, "0::/bench/r\n"));
    assert_eq!((at.pids, at.limits.pids_max, at.limits.memory_limit_bytes), (Some(17), Some(4096), Some(268435456)));
    assert!(
        at.threads.is_some_and(|t| t >= 1)
            && at.memory_maps.is_some_and(|m| m >= 1)
            && at.rss_bytes.is_some_and(|r| r > 0)
    );
    assert!(at.vm_size_bytes.is_some_and(|v| v > 0));
    assert!(at.limits.pid_max.is_some() && at.limits.threads_max.is_some() && at.limits.max_map_count.is_some());
    write_tree(&root, &[("bench/r/pids.max", "max\n"), ("bench/r/memory.max", "max\n")]);
    let at = atfailure::collect(&reader_at(&root, "0::/bench/r\n"));
    assert_eq!((at.limits.pids_max, at.limits.memory_limit_bytes), (None, None), "unlimited is null");
    let _ = fs::remove_dir_all(root);
}

#[test]
fn rfc3339_and_civil_dates() {
    assert_eq!(sys::civil_from_days(0), (1970, 1, 1));
    assert_eq!(sys::civil_from_days(11_016), (2000, 2, 29));
    assert_eq!(sys::civil_from_days(20_788), (2026, 12, 1));
    assert_eq!(sys::civil_from_days(-1), (1969, 12, 31));
    let t = UNIX_EPOCH + Duration::new(1_795_749_660, 123_456_789);
    assert_eq!(sys::rfc3339(t), "2026-11-27T03:21:00.123456789Z");
    assert_eq!(sys::rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000000000Z");
}

#[test]
fn rusage_and_limits_are_read() {
    let u = sys::process_usage();
    assert!(u.ok && u.cpu_seconds().is_some());
    let d = u.since(&u);
    assert_eq!((d.user, d.system, d.voluntary), (Duration::ZERO, Duration::ZERO, 0));
    assert!(sys::online_cpus() >= 1);
    assert!(sys::allocator_view().is_some_and(|a| a.in_use_bytes > 0), "glibc's mallinfo2");
}

#[test]
fn json_writer_and_reader_agree() {
    let mut w = Writer::new();
    w.begin_object();
    w.key("s").string("a\"b\\c\n\u{1}é");
    w.key("n").null();
    w.key("f").float(10.0);
    w.key("g").float(0.1);
    w.key("tiny").float(1e-7);
    w.key("inf").float(f64::INFINITY);
    w.key("u").uint(u64::MAX);
    w.key("i").int(-3);
    w.key("a").begin_array().uint(1).begin_object().key("k").bool(true).end_object().floats(&[1.5, 2.0]).end_array();
    w.key("e").begin_object().end_object();
    w.end_object();
    let text = w.finish();
    let v = json::parse(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(v.get("s").and_then(Value::as_str), Some("a\"b\\c\n\u{1}é"));
    assert!(v.get("n").is_some_and(Value::is_null) && v.get("inf").is_some_and(Value::is_null));
    assert_eq!(v.get("f").and_then(Value::as_f64), Some(10.0));
    assert_eq!(v.get("g").and_then(Value::as_f64), Some(0.1));
    assert_eq!(v.get("tiny").and_then(Value::as_f64), Some(1e-7));
    assert_eq!(v.get("u").and_then(Value::as_u64), Some(u64::MAX), "integers stay exact");
    assert_eq!(v.get("i").and_then(Value::as_i64), Some(-3));
    assert_eq!(v.at(&["a"]).and_then(Value::as_array).map(<[Value]>::len), Some(3));
    assert_eq!(v.keys(), ["s", "n", "f", "g", "tiny", "inf", "u", "i", "a", "e"], "file order");
    assert_eq!(json::parse(&v.to_json()), Ok(v.clone()), "a round trip");
    assert_eq!(
        json::parse(r#"{"x": "\ud83d\ude00"}"#).expect("a surrogate pair").get("x").and_then(Value::as_str),
        Some("😀")
    );
    for bad in ["", "{", "[1,]", "{\"a\" 1}", "01x", "\"\u{1}\"", "nul", "{} {}"] {
        assert!(json::parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn task_inputs() {
    let p = work::payload(250, 10).expect("a payload");
    assert_eq!(p, [250, 251, 252, 253, 254, 255, 0, 1, 2, 3], "byte j = (i + j) % 256, wrapping");
    let input = work::task_input(1, 3, 4).expect("an input");
    assert_eq!(input, [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
    let too_big = work::task_input(0, usize::MAX, 2).expect_err("overflow");
    assert_eq!(too_big.kind, ErrorKind::Internal);
    assert_eq!(work::hex(&[0, 15, 255]), "000fff");
    assert_eq!(format!("{:08x}", work::fnv1a32(b"")), "811c9dc5");
}
