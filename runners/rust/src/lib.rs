//! The Rust runner of concbench-poly: one measured run of one workload with one concurrency model,
//! one JSON document (schema/result.schema.json) on stdout. The contract it follows is
//! runners/README.md; schema/runner_contract.json lists its approaches (tokio,
//! tokio-current-thread, threads, rayon).
//!
//! Exit codes: 0 ok, 1 status error (document still printed), 2 usage error (stdout empty, one
//! line on stderr).

pub mod args;
pub mod atfailure;
pub mod benchmark;
pub mod cgroup;
pub mod json;
pub mod procfs;
pub mod result;
pub mod stats;
pub mod sys;
pub mod work;

use std::io::Write;

use args::ArgsError;
use result::{EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE};

/// Runs the runner with `args` (without the program name); returns the process exit code.
pub fn real_main(args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let cfg = match args::parse_args(args) {
        Ok(cfg) => cfg,
        Err(ArgsError::Help) => {
            let _ = stderr.write_all(args::USAGE.as_bytes());
            return EXIT_OK;
        }
        Err(e) => {
            let _ = writeln!(stderr, "runner: error: {}", args::one_line(&e.to_string()));
            return EXIT_USAGE;
        }
    };
    let doc = benchmark::run_benchmark(&cfg);
    if let Err(e) = stdout.write_all(doc.to_json().as_bytes()).and_then(|_| stdout.flush()) {
        let _ = writeln!(stderr, "runner: writing the result: {e}");
        return EXIT_RUN_FAILED;
    }
    match &doc.error {
        None => EXIT_OK,
        Some(e) => {
            let _ = writeln!(stderr, "runner: {}: {}", e.kind.as_str(), args::one_line(&e.message));
            EXIT_RUN_FAILED
        }
    }
}
