//! Records what built the runner, for the document's runtime block: the compiler's version line
//! (`rustc --version`) and the versions of the crates that are the concurrency models (tokio,
//! rayon), read from Cargo.lock.

use std::env;
use std::fs;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-env-changed=RUSTC");

    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let version = Command::new(&rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_default();
    // "rustc 1.85.0 (4d91de4e4 2025-02-17) (built from a source tarball)" -> "1.85.0 (...) (...)".
    let version = version.strip_prefix("rustc ").unwrap_or(&version).to_string();
    println!("cargo:rustc-env=CONCBENCH_RUSTC_VERSION={}", if version.is_empty() { "unknown" } else { &version });

    let lock = fs::read_to_string("Cargo.lock").unwrap_or_default();
    for name in ["tokio", "rayon"] {
        let version = locked_version(&lock, name).unwrap_or_else(|| "unknown".to_string());
        println!("cargo:rustc-env=CONCBENCH_{}_VERSION={version}", name.to_uppercase());
    }
}

/// The version of package `name` in a Cargo.lock text.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{name}\"") {
            let next = lines.next()?.trim();
            return Some(next.strip_prefix("version = \"")?.strip_suffix('"')?.to_string());
        }
    }
    None
}
