//! The runner's entry point: see the library (src/lib.rs) and runners/README.md.

use std::io;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A panic is one stderr line, never a multi-line report: the tasks catch theirs and turn them
    // into an error document; one anywhere else still ends the run (exit 101, no document).
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("runner: panic: {}{place}", concbench_runner::args::one_line(&what));
    }));
    let args: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let code = concbench_runner::real_main(&args, &mut io::stdout().lock(), &mut io::stderr().lock());
    ExitCode::from(code as u8)
}
