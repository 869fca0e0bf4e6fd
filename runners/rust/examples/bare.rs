//! The io task alone, for the bookkeeping budget (runners/README.md "Runner bookkeeping"): what
//! the runner's task costs without the runner. Same command line shape as the runner
//! (--approach tokio|tokio-current-thread|threads, --tasks N, --io-ms D) and the same task body and
//! completion (a tokio task in `sleep(D).await` that counts down a shared counter and wakes
//! `block_on` through a `Notify`; a `std::thread` in `thread::sleep(D)` inside `thread::scope`),
//! nothing else: no stamps, no window, no document. Never shipped in the image. Build:
//!
//!     cargo build --release --offline --example bare    # target/release/examples/bare

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

struct Shared {
    wait: Duration,
    remaining: AtomicUsize,
    done: tokio::sync::Notify,
}

async fn task(shared: Arc<Shared>) {
    tokio::time::sleep(shared.wait).await;
    if shared.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
        shared.done.notify_one();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str, default: &str| -> String {
        args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned().unwrap_or(default.to_string())
    };
    let approach = value("--approach", "tokio");
    let tasks: usize = value("--tasks", "1000").parse().expect("--tasks: an integer");
    let io_ms: f64 = value("--io-ms", "10").parse().expect("--io-ms: a number");
    let wait = Duration::from_nanos((io_ms * 1e6).round() as u64);
    let runtime = match approach.as_str() {
        "tokio" => tokio::runtime::Builder::new_multi_thread().enable_time().build(),
        "tokio-current-thread" => tokio::runtime::Builder::new_current_thread().enable_time().build(),
        "threads" => {
            std::thread::scope(|s| {
                for _ in 0..tasks {
                    s.spawn(move || std::thread::sleep(wait));
                }
            });
            return;
        }
        other => {
            eprintln!("bare: error: --approach: tokio, tokio-current-thread or threads, got {other:?}");
            std::process::exit(2);
        }
    };
    let runtime = runtime.expect("a tokio runtime");
    let shared = Arc::new(Shared { wait, remaining: AtomicUsize::new(tasks), done: tokio::sync::Notify::new() });
    runtime.block_on(async {
        for _ in 0..tasks {
            tokio::spawn(task(Arc::clone(&shared)));
        }
        shared.done.notified().await;
    });
}
