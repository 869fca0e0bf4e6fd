//! The built binary as the orchestrator runs it: streams, exit codes, one document, and a thread
//! that the kernel refuses (RLIMIT_AS) turned into a resource_exhausted document with at_failure.

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Command, Output};

use common::assert_schema_valid;
use concbench_runner::json::{self, Value};

fn runner() -> Command {
    Command::new(env!("CARGO_BIN_EXE_runner"))
}

fn run(args: &[&str]) -> Output {
    runner().args(args).output().expect("the runner starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

#[test]
fn help_goes_to_stderr_with_exit_0() {
    for flag in ["--help", "-h"] {
        let out = run(&[flag]);
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stdout.is_empty());
        let err = text(&out.stderr);
        assert!(err.starts_with("usage: runner") && err.contains("--approach"), "{err}");
    }
}

#[test]
fn usage_errors_are_one_stderr_line_exit_2_and_no_stdout() {
    let cases: [(&[&str], &str); 12] = [
        (&["--approach", "tokio", "--tasks", "0"], "--tasks"),
        (&["--approach", "tokio", "--tasks", "abc"], "--tasks"),
        (&["--approach", "tokio", "--tasks", "-5"], "--tasks"),
        (&["--approach", "tokio", "--tasks"], "--tasks"),
        (&["--approach", "tokio", "--tasks", "--io-ms", "5"], "--tasks"),
        (&["--approach", "tokio", "--io-ms", "0"], "--io-ms"),
        (&["--approach", "tokio", "--io-ms=nan"], "--io-ms"),
        (&["--approach", "tokio", "--bogus", "1"], "--bogus"),
        (&["--approach", "fibers"], "--approach"),
        (&["--workload", "cpu", "--approach", "tokio"], "--approach"),
        (&["--workload", "gpu", "--approach", "threads"], "--workload"),
        (&["--tasks", "10"], "--approach"),
    ];
    for (args, named) in cases {
        let out = run(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}: stdout {:?}", text(&out.stdout));
        assert!(err.ends_with('\n') && err.matches('\n').count() == 1, "{args:?}: not one line: {err:?}");
        assert!(err.starts_with("runner: error: ") && err.contains(named), "{args:?}: {err:?} does not name {named}");
    }
    let out = run(&["--approach", "tokio", "stray"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("'stray'"));
    // A value with a line break stays on one line.
    let out = run(&["--approach", "tokio", "--tasks", "1\n2"]);
    assert_eq!(text(&out.stderr).matches('\n').count(), 1);
}

#[test]
fn an_ok_run_prints_one_document_and_exits_0() {
    for (workload, approach) in [("io", "tokio"), ("io", "threads"), ("cpu", "rayon"), ("cpu-loop", "threads")] {
        let out =
            run(&["--workload", workload, "--approach", approach, "--tasks", "20", "--io-ms", "2", "--repeat", "100"]);
        let doc = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{workload}/{approach}: {}", text(&out.stderr));
        assert!(doc.ends_with('\n') && doc.matches('\n').count() == 1, "one line plus a newline");
        assert!(out.stderr.is_empty(), "stderr: {}", text(&out.stderr));
        assert_schema_valid(&doc);
        let v = json::parse(&doc).expect("JSON");
        assert_eq!(v.get("status").and_then(Value::as_str), Some("ok"));
        assert_eq!(v.get("approach").and_then(Value::as_str), Some(approach));
    }
}

/// A current-thread runtime runs everything on the main thread; rayon adds its W threads, all
/// started before the window.
#[test]
fn threads_of_the_runtimes() {
    let peak_threads = |args: &[&str]| -> u64 {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        json::parse(&text(&out.stdout))
            .expect("JSON")
            .at(&["cpu", "peak_threads"])
            .and_then(Value::as_u64)
            .expect("peak_threads")
    };
    assert_eq!(peak_threads(&["--approach", "tokio-current-thread", "--tasks", "100", "--io-ms", "1"]), 1);
    assert_eq!(peak_threads(&["--workload", "cpu-loop", "--approach", "rayon", "--workers", "3", "--tasks", "10"]), 4);
}

#[test]
fn a_task_error_prints_an_error_document_and_exits_1() {
    let out = run(&[
        "--workload",
        "cpu",
        "--approach",
        "threads",
        "--tasks",
        "2",
        "--payload-bytes",
        "2",
        "--repeat",
        "2305843009213693952",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let doc = text(&out.stdout);
    assert_schema_valid(&doc);
    let v = json::parse(&doc).expect("JSON");
    assert_eq!(v.at(&["error", "kind"]).and_then(Value::as_str), Some("out_of_memory"));
    let err = text(&out.stderr);
    assert!(err.starts_with("runner: out_of_memory: ") && err.matches('\n').count() == 1, "{err:?}");
}

/// A thread per task under an address-space limit: the kernel refuses a thread stack, the loop
/// stops, and the document says how far it got and which limit binds (rlimit_as_bytes beside
/// vm_size_bytes), read before the threads that did start were waited for.
#[test]
fn a_thread_the_kernel_refuses_is_resource_exhausted_with_at_failure() {
    const LIMIT: u64 = 256 << 20;
    let mut cmd = runner();
    cmd.args(["--workload", "io", "--approach", "threads", "--tasks", "1000", "--io-ms", "500"]);
    // SAFETY: setrlimit is async-signal-safe; the child only sets its own limit before exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit { rlim_cur: LIMIT, rlim_max: LIMIT };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().expect("the runner starts");
    let doc = text(&out.stdout);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stdout {doc}\nstderr {err}");
    assert_schema_valid(&doc);
    let v = json::parse(&doc).expect("JSON");
    assert_eq!(v.at(&["error", "kind"]).and_then(Value::as_str), Some("resource_exhausted"), "{doc}");
    let message = v.at(&["error", "message"]).and_then(Value::as_str).expect("message");
    assert!(message.starts_with("cannot spawn a thread: ") && message.contains("of 1000 tasks)"), "{message}");
    let at = v.at(&["error", "at_failure"]).expect("at_failure");
    assert_eq!(at.at(&["limits", "rlimit_as_bytes"]).and_then(Value::as_u64), Some(LIMIT));
    let vm_size = at.get("vm_size_bytes").and_then(Value::as_u64).expect("vm_size_bytes");
    assert!(vm_size <= LIMIT && vm_size > LIMIT / 2, "VmSize {vm_size} near the limit {LIMIT}");
    let threads = at.get("threads").and_then(Value::as_u64).expect("threads");
    assert!(threads > 10 && threads < 1000, "{threads} threads when the spawn failed");
    assert!(v.get("started_at").is_some(), "the window opened");
    assert!(
        err.starts_with("runner: resource_exhausted: cannot spawn a thread") && err.matches('\n').count() == 1,
        "{err:?}"
    );
}
