//! What one task does, apart from its model: wait D (io), sha256(payload_i * R) (cpu), or 32-bit
//! FNV-1a of payload_i in a Rust loop (cpu-loop). payload_i is B bytes with byte j = (i + j) % 256.

use sha2::{Digest, Sha256};
use std::fmt::Write;

use crate::result::ErrorKind;

pub const FNV1A32_OFFSET: u32 = 0x811c_9dc5;
pub const FNV1A32_PRIME: u32 = 0x0100_0193;

/// 32-bit FNV-1a: h = offset; for each byte b: h = (h XOR b) * prime mod 2^32.
pub fn fnv1a32(data: &[u8]) -> u32 {
    let mut h = FNV1A32_OFFSET;
    for &b in data {
        h ^= u32::from(b);
        h = h.wrapping_mul(FNV1A32_PRIME);
    }
    h
}

/// Why a task could not do its work (reported as the run's error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskError {
    pub kind: ErrorKind,
    pub message: String,
}

/// A buffer of `len` bytes reserved up front, so an allocation the allocator refuses is a status
/// error of the task rather than the process aborting ("memory allocation of N bytes failed").
fn reserve(len: usize, what: &str) -> Result<Vec<u8>, TaskError> {
    if len > isize::MAX as usize {
        return Err(TaskError {
            kind: ErrorKind::Internal,
            message: format!("{what} of {len} bytes exceeds the largest allocation ({} bytes)", isize::MAX),
        });
    }
    let mut buf = Vec::new();
    buf.try_reserve_exact(len).map_err(|e| TaskError {
        kind: ErrorKind::OutOfMemory,
        message: format!("cannot allocate {len} bytes for {what}: {e}"),
    })?;
    Ok(buf)
}

/// payload_i: `size` bytes with byte j = (i + j) % 256.
pub fn payload(i: usize, size: usize) -> Result<Vec<u8>, TaskError> {
    let mut p = reserve(size, "the payload")?;
    p.extend((0..size).map(|j| (i.wrapping_add(j) % 256) as u8));
    Ok(p)
}

/// payload_i * R.
pub fn task_input(i: usize, payload_bytes: usize, repeat: usize) -> Result<Vec<u8>, TaskError> {
    let Some(len) = payload_bytes.checked_mul(repeat) else {
        return Err(TaskError {
            kind: ErrorKind::Internal,
            message: format!("payload_i * R is {payload_bytes} x {repeat} bytes, more than a usize holds"),
        });
    };
    let p = payload(i, payload_bytes)?;
    let mut input = reserve(len, "payload_i * R")?;
    for _ in 0..repeat {
        input.extend_from_slice(&p);
    }
    Ok(input)
}

/// The cpu workload's task: sha256(payload_i * R).
pub fn sha256_task(i: usize, payload_bytes: usize, repeat: usize) -> Result<[u8; 32], TaskError> {
    let input = task_input(i, payload_bytes, repeat)?;
    Ok(Sha256::digest(&input).into())
}

/// The cpu-loop workload's task: FNV-1a 32 of payload_i (L bytes).
pub fn fnv_task(i: usize, loop_bytes: usize) -> Result<u32, TaskError> {
    Ok(fnv1a32(&payload(i, loop_bytes)?))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
