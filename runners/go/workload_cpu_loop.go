package main

import "fmt"

// The cpu-loop workload: task i builds payload_i (L bytes, byte j = (i + j) % 256,
// as the cpu workload's payload_i) and hashes it with 32-bit FNV-1a in a plain
// Go loop, so the work is the language's own code rather than a library's
// assembly (schema/fnv1a_vectors.json has the algorithm and known answers).
// It runs with the cpu workload's goroutines (cpuWorkload); only the body differs.
// The mixed workload runs the same body after each task's wait (workload_mixed.go).

const (
	fnv1a32Offset = 0x811c9dc5
	fnv1a32Prime  = 0x01000193
)

// fnv1a32 is 32-bit FNV-1a: h = offset; for each byte b: h = (h XOR b) * prime
// mod 2^32 (uint32 arithmetic wraps).
func fnv1a32(data []byte) uint32 {
	h := uint32(fnv1a32Offset)
	for _, b := range data {
		h ^= uint32(b)
		h *= fnv1a32Prime
	}
	return h
}

// loopTask is the work of cpu-loop task i: build payload_i, hash it.
func loopTask(i, loopBytes int) uint32 {
	return fnv1a32(payload(i, loopBytes))
}

// fnvLoopBody keeps every task's hash in a slice preallocated before the
// window, so the loop's result is used and the compiler cannot drop it.
type fnvLoopBody struct {
	loopBytes int
	hashes    []uint32 // by task id, each written by its own task only
}

func newFNVLoopBody(loopBytes, tasks int) *fnvLoopBody {
	return &fnvLoopBody{loopBytes: loopBytes, hashes: make([]uint32, tasks)}
}

func (b *fnvLoopBody) run(id int) { b.hashes[id] = loopTask(id, b.loopBytes) }

// checksum is task 0's hash as 8 lowercase hex digits.
func (b *fnvLoopBody) checksum() string { return fmt.Sprintf("%08x", b.hashes[0]) }
