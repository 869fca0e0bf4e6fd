//! The command line (runners/README.md "Arguments"): `--name value` or `--name=value`, any order.
//!
//! The options are one table (`OPTIONS`) that the parser, `Config::option` and the contract tests
//! share: tests/contract.rs checks every row against schema/runner_contract.json (flag, default,
//! minimum) and checks, through the real parser, that each flag sets exactly its own option.

use std::fmt;

/// The contract's workloads, in its order.
pub const WORKLOADS: [&str; 4] = ["io", "cpu", "cpu-loop", "mixed"];

/// What this runner implements: each approach with the workloads it runs.
/// tests/contract.rs checks it against the contract's approaches for rust, both ways.
pub const APPROACHES: [(&str, &[&str]); 5] = [
    ("tokio", &["io", "mixed"]),
    ("tokio-current-thread", &["io", "mixed"]),
    ("threads", &["io", "cpu", "cpu-loop", "mixed"]),
    ("rayon", &["cpu", "cpu-loop"]),
    ("tokio-rayon", &["mixed"]),
];

/// An approach of this runner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Approach {
    /// io, mixed: a tokio multi-thread runtime, one task per task (mixed: the CPU work in the task).
    Tokio,
    /// io, mixed: a tokio current-thread runtime (everything on the main thread), one task per task.
    TokioCurrentThread,
    /// io, cpu, cpu-loop, mixed: one `std::thread` per task.
    Threads,
    /// cpu, cpu-loop: a `rayon::ThreadPool` of `--workers` threads, one spawn per task.
    Rayon,
    /// mixed: a tokio multi-thread runtime, one task per task, each handing its CPU work to a
    /// `rayon::ThreadPool` of `--workers` threads and awaiting it.
    TokioRayon,
}

impl Approach {
    pub fn name(self) -> &'static str {
        match self {
            Approach::Tokio => "tokio",
            Approach::TokioCurrentThread => "tokio-current-thread",
            Approach::Threads => "threads",
            Approach::Rayon => "rayon",
            Approach::TokioRayon => "tokio-rayon",
        }
    }

    /// Whether `--workers` sizes it (a rayon pool).
    pub fn sized_by_workers(self) -> bool {
        matches!(self, Approach::Rayon | Approach::TokioRayon)
    }

    pub fn from_name(name: &str) -> Option<Approach> {
        [Approach::Tokio, Approach::TokioCurrentThread, Approach::Threads, Approach::Rayon, Approach::TokioRayon]
            .into_iter()
            .find(|a| a.name() == name)
    }
}

/// A workload of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    Io,
    Cpu,
    CpuLoop,
    /// Each task waits D, then does cpu-loop's work.
    Mixed,
}

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::Io => "io",
            Workload::Cpu => "cpu",
            Workload::CpuLoop => "cpu-loop",
            Workload::Mixed => "mixed",
        }
    }

    pub fn from_name(name: &str) -> Option<Workload> {
        [Workload::Io, Workload::Cpu, Workload::CpuLoop, Workload::Mixed].into_iter().find(|w| w.name() == name)
    }
}

/// Whether an option takes an integer >= its minimum or a number > its exclusive minimum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// An integer >= 1.
    Integer,
    /// A finite number > 0.
    Number,
}

/// One option of the contract.
#[derive(Clone, Copy, Debug)]
pub struct OptionSpec {
    /// The contract's key, also the key in the document's workload block.
    pub name: &'static str,
    pub flag: &'static str,
    pub kind: OptionKind,
    pub default: f64,
}

/// Every option the runner accepts (the contract's `options`), with its default.
pub const OPTIONS: [OptionSpec; 7] = [
    OptionSpec { name: "tasks", flag: "--tasks", kind: OptionKind::Integer, default: 1000.0 },
    OptionSpec { name: "io_ms", flag: "--io-ms", kind: OptionKind::Number, default: 10.0 },
    OptionSpec { name: "pool_size", flag: "--pool-size", kind: OptionKind::Integer, default: 50.0 },
    OptionSpec { name: "workers", flag: "--workers", kind: OptionKind::Integer, default: 4.0 },
    OptionSpec { name: "payload_bytes", flag: "--payload-bytes", kind: OptionKind::Integer, default: 64.0 },
    OptionSpec { name: "loop_bytes", flag: "--loop-bytes", kind: OptionKind::Integer, default: 16384.0 },
    OptionSpec { name: "repeat", flag: "--repeat", kind: OptionKind::Integer, default: 10000.0 },
];

/// The largest D accepted: D in ns (io_ms * 1e6) stays far inside a u64 and a `Duration`.
pub const MAX_IO_MS: f64 = 4.0e12;

/// The validated command line.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub workload: Workload,
    pub approach: Approach,
    /// N >= 1.
    pub tasks: usize,
    /// io and mixed: D > 0, milliseconds.
    pub io_ms: f64,
    /// Accepted for the contract; no approach of this runner is sized by it (recorded as null).
    pub pool_size: usize,
    /// rayon and tokio-rayon only: the pool's threads.
    pub workers: usize,
    /// cpu only: B >= 1.
    pub payload_bytes: usize,
    /// cpu-loop and mixed: L >= 1.
    pub loop_bytes: usize,
    /// cpu only: R >= 1.
    pub repeat: usize,
}

impl Config {
    /// A config with every option at its default.
    pub fn new(workload: Workload, approach: Approach) -> Config {
        let mut cfg = Config {
            workload,
            approach,
            tasks: 0,
            io_ms: 0.0,
            pool_size: 0,
            workers: 0,
            payload_bytes: 0,
            loop_bytes: 0,
            repeat: 0,
        };
        for spec in OPTIONS {
            cfg.set(spec.name, spec.default);
        }
        cfg
    }

    /// The value of an option by its contract name (None for a name the runner does not know).
    pub fn option(&self, name: &str) -> Option<f64> {
        Some(match name {
            "tasks" => self.tasks as f64,
            "io_ms" => self.io_ms,
            "pool_size" => self.pool_size as f64,
            "workers" => self.workers as f64,
            "payload_bytes" => self.payload_bytes as f64,
            "loop_bytes" => self.loop_bytes as f64,
            "repeat" => self.repeat as f64,
            _ => return None,
        })
    }

    fn set(&mut self, name: &str, value: f64) {
        if name == "io_ms" {
            self.io_ms = value;
        } else {
            self.set_int(name, value as usize);
        }
    }

    fn set_int(&mut self, name: &str, int: usize) {
        match name {
            "tasks" => self.tasks = int,
            "pool_size" => self.pool_size = int,
            "workers" => self.workers = int,
            "payload_bytes" => self.payload_bytes = int,
            "loop_bytes" => self.loop_bytes = int,
            "repeat" => self.repeat = int,
            _ => unreachable!("option {name} is not in OPTIONS"),
        }
    }
}

/// Why the command line was refused: one stderr line naming the argument.
#[derive(Debug, PartialEq, Eq)]
pub enum ArgsError {
    /// `--help` / `-h`: usage on stderr, exit 0.
    Help,
    /// A usage error about `arg` (empty when no single argument is to blame).
    Usage { arg: String, msg: String },
}

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgsError::Help => write!(f, "help requested"),
            ArgsError::Usage { arg, msg } if arg.is_empty() => write!(f, "{msg}"),
            ArgsError::Usage { arg, msg } => write!(f, "{arg}: {msg}"),
        }
    }
}

fn usage(arg: &str, msg: String) -> ArgsError {
    ArgsError::Usage { arg: arg.to_string(), msg }
}

pub const USAGE: &str = "\
usage: runner --approach NAME [--workload io|cpu|cpu-loop|mixed] [--tasks N] [--io-ms D]
              [--payload-bytes B] [--repeat R] [--loop-bytes L] [--workers W] [--pool-size N] [--help]

Rust runner of concbench-poly: one measured run, one JSON document on stdout.

  --workload io|cpu|cpu-loop|mixed
                       io: each task waits D ms; cpu: each task sha256(payload_i * R);
                       cpu-loop: each task FNV-1a 32 of its L-byte payload_i in a Rust loop;
                       mixed: each task waits D ms, then does cpu-loop's work (default io)
  --approach NAME      required; io: tokio (multi-thread runtime, a task per task),
                       tokio-current-thread (one thread), threads (a std::thread per task);
                       cpu, cpu-loop: threads, rayon (a rayon::ThreadPool of W threads);
                       mixed: tokio, tokio-current-thread, threads, tokio-rayon (tokio tasks
                       that hand their CPU work to a rayon::ThreadPool of W threads)
  --tasks N            number of tasks, integer >= 1 (default 1000)
  --io-ms D            io and mixed: wait per task in ms, a number > 0 (default 10)
  --payload-bytes B    cpu only: base payload size in bytes, integer >= 1 (default 64)
  --repeat R           cpu only: payload repetitions before hashing, integer >= 1 (default 10000)
  --loop-bytes L       cpu-loop and mixed: bytes each task hashes, integer >= 1 (default 16384)
  --workers W          rayon and tokio-rayon: pool threads, integer >= 1 (default 4)
  --pool-size N        threadpool only: accepted and ignored (recorded as null)
  --help               this text on stderr, exit 0

Both --name value and --name=value are accepted. Exit codes: 0 ok, 1 status error, 2 usage error.
";

/// A user-supplied value as 'value' on one line (control characters escaped).
pub fn quote(s: &str) -> String {
    format!("'{}'", one_line(s))
}

/// Escapes line breaks and other control characters so a message stays one stderr line.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if (c as u32) < 0x20 || c as u32 == 0x7f {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The approaches of a workload, in table order.
pub fn approaches_for(workload: &str) -> Vec<&'static str> {
    APPROACHES.iter().filter(|(_, w)| w.contains(&workload)).map(|(a, _)| *a).collect()
}

/// Every approach name, in table order.
pub fn all_approaches() -> Vec<&'static str> {
    APPROACHES.iter().map(|(a, _)| *a).collect()
}

/// A parsed option value.
enum Value {
    Integer(usize),
    Number(f64),
}

fn parse_integer(flag: &str, value: &str) -> Result<Value, ArgsError> {
    match value.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(Value::Integer(n)),
        _ => Err(usage(flag, format!("expected an integer >= 1, got {}", quote(value)))),
    }
}

fn parse_number(flag: &str, value: &str) -> Result<Value, ArgsError> {
    match value.parse::<f64>() {
        Ok(f) if f.is_finite() && f > 0.0 => {
            if f > MAX_IO_MS {
                Err(usage(flag, format!("expected a number <= {MAX_IO_MS}, got {}", quote(value))))
            } else {
                Ok(Value::Number(f))
            }
        }
        _ => Err(usage(flag, format!("expected a number > 0, got {}", quote(value)))),
    }
}

/// Parses and validates the command line (without the program name).
pub fn parse_args(args: &[String]) -> Result<Config, ArgsError> {
    let mut workload = "io".to_string();
    let mut approach: Option<String> = None;
    let mut values: Vec<(&'static str, Value)> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--help" || arg == "-h" {
            return Err(ArgsError::Help);
        }
        if !arg.starts_with("--") || arg == "--" {
            return Err(usage("", format!("unexpected argument {}", quote(arg))));
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_string(), Some(value.to_string())),
            None => (arg.clone(), None),
        };
        let known = name == "--workload" || name == "--approach" || OPTIONS.iter().any(|o| o.flag == name);
        if !known {
            return Err(usage(&one_line(&name), "unrecognized argument".to_string()));
        }
        let value = match inline {
            Some(value) => value,
            None => {
                let Some(value) = args.get(i) else {
                    return Err(usage(&name, "expected a value".to_string()));
                };
                i += 1;
                value.clone()
            }
        };
        // `--tasks --io-ms 5`: the value of --tasks is missing.
        if value.starts_with("--") {
            return Err(usage(&name, format!("expected a value, got {}", quote(&value))));
        }
        match name.as_str() {
            "--workload" => {
                if !WORKLOADS.contains(&value.as_str()) {
                    return Err(usage(
                        &name,
                        format!("invalid choice {} (choose from {})", quote(&value), WORKLOADS.join(", ")),
                    ));
                }
                workload = value;
            }
            "--approach" => {
                if Approach::from_name(&value).is_none() {
                    return Err(usage(
                        &name,
                        format!("invalid choice {} (choose from {})", quote(&value), all_approaches().join(", ")),
                    ));
                }
                approach = Some(value);
            }
            _ => {
                let spec = OPTIONS.iter().find(|o| o.flag == name).expect("known flag");
                let parsed = match spec.kind {
                    OptionKind::Integer => parse_integer(spec.flag, &value)?,
                    OptionKind::Number => parse_number(spec.flag, &value)?,
                };
                values.push((spec.name, parsed));
            }
        }
    }
    let choices = match approaches_for(&workload).join(", ") {
        list if list.is_empty() => "the rust runner has none for it".to_string(),
        list => format!("choose from {list}"),
    };
    let Some(approach) = approach else {
        return Err(usage("--approach", format!("required ({choices})")));
    };
    if !approaches_for(&workload).contains(&approach.as_str()) {
        return Err(usage(
            "--approach",
            format!("{} does not exist for workload {workload} ({choices})", quote(&approach)),
        ));
    }
    let workload_kind = Workload::from_name(&workload).expect("a workload with an approach is implemented");
    let mut cfg = Config::new(workload_kind, Approach::from_name(&approach).expect("validated"));
    for (name, value) in values {
        match value {
            Value::Integer(n) => cfg.set_int(name, n),
            Value::Number(f) => cfg.set(name, f),
        }
    }
    Ok(cfg)
}
