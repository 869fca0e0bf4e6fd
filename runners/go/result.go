package main

import (
	"encoding/json"
)

const (
	// schemaVersion follows the contract's schema_version (schema/README.md, "the version rule");
	// contract_test.go fails until the two agree.
	schemaVersion = 1
	statusOK      = "ok"
	statusError   = "error"

	// Every error.kind this runner can produce is one of the errKind constants; contract_test.go
	// finds them all in the source and checks each against the contract's runner kinds.
	errKindResourceExhausted = "resource_exhausted"
	errKindOutOfMemory       = "out_of_memory"
	errKindInternal          = "internal"
)

// result is the document printed on stdout (schema/result.schema.json).
// Pointer fields without omitempty are printed as null when unset, which the
// schema requires for an error document and for fields that do not apply.
type result struct {
	SchemaVersion  int              `json:"schema_version"`
	Language       string           `json:"language"`
	Approach       string           `json:"approach"`
	Status         string           `json:"status"`
	Error          *runError        `json:"error"`
	Workload       workloadInfo     `json:"workload"`
	StartedAt      *string          `json:"started_at,omitempty"`
	TotalMs        *float64         `json:"total_ms"`
	ThroughputPerS *float64         `json:"throughput_per_s"`
	LatencyMs      *latencyInfo     `json:"latency_ms"`
	Memory         *memoryInfo      `json:"memory"`
	CPU            *cpuInfo         `json:"cpu"`
	Concurrency    *concurrencyInfo `json:"concurrency,omitempty"`
	Checksum       *string          `json:"checksum"`
	Runtime        runtimeInfo      `json:"runtime"`
	Environment    environmentInfo  `json:"environment"`
}

type runError struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// workloadInfo: parameters that do not apply to the workload are omitted
// (io_ms for cpu; payload_bytes, repeat for io); pool_size and workers are
// always null for goroutines (the contract records ignored arguments as null).
type workloadInfo struct {
	Kind         string   `json:"kind"`
	Tasks        int      `json:"tasks"`
	IOMs         *float64 `json:"io_ms,omitempty"`
	PayloadBytes *int     `json:"payload_bytes,omitempty"`
	Repeat       *int     `json:"repeat,omitempty"`
	PoolSize     *int     `json:"pool_size"`
	Workers      *int     `json:"workers"`
}

type latencyInfo struct {
	Service  distribution `json:"service"`
	EndToEnd distribution `json:"end_to_end"`
	CDF      cdfInfo      `json:"cdf"`
}

type cdfInfo struct {
	Service  []float64 `json:"service"`
	EndToEnd []float64 `json:"end_to_end"`
}

type memoryInfo struct {
	BaselineRSSBytes int64         `json:"baseline_rss_bytes"`
	PeakRSSBytes     int64         `json:"peak_rss_bytes"`
	PerTaskBytes     float64       `json:"per_task_bytes"`
	HWMReset         bool          `json:"hwm_reset"`
	VMPeakBytes      *int64        `json:"vm_peak_bytes"`
	CgroupPeakBytes  *int64        `json:"cgroup_peak_bytes"`
	Runtime          goMemoryStats `json:"runtime"`
}

// goMemoryStats is memory.runtime: runtime.MemStats read after the window,
// plus the goroutine count sampled right after the last submission.
type goMemoryStats struct {
	HeapAlloc    uint64 `json:"HeapAlloc"`
	HeapSys      uint64 `json:"HeapSys"`
	StackInuse   uint64 `json:"StackInuse"`
	StackSys     uint64 `json:"StackSys"`
	Sys          uint64 `json:"Sys"`
	NumGC        uint32 `json:"NumGC"`
	NumGoroutine int    `json:"NumGoroutine"`
}

type cpuInfo struct {
	UserS                  float64 `json:"user_s"`
	SystemS                float64 `json:"system_s"`
	VoluntaryCtxSwitches   int64   `json:"voluntary_ctx_switches"`
	InvoluntaryCtxSwitches int64   `json:"involuntary_ctx_switches"`
	PeakThreads            int     `json:"peak_threads"`
}

type runtimeInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type environmentInfo struct {
	CPUCount    int        `json:"cpu_count"`
	Parallelism int        `json:"parallelism"`
	Affinity    *string    `json:"affinity"`
	Hostname    *string    `json:"hostname"`
	Cgroup      cgroupInfo `json:"cgroup"`
}

// newResult fills what is known before any measurement.
func newResult(cfg config, env environmentInfo, rt runtimeInfo) *result {
	w := workloadInfo{Kind: cfg.Workload, Tasks: cfg.Tasks}
	switch cfg.Workload {
	case "io":
		d := cfg.IOMs
		w.IOMs = &d
	case "cpu":
		b, r := cfg.PayloadBytes, cfg.Repeat
		w.PayloadBytes, w.Repeat = &b, &r
	}
	return &result{
		SchemaVersion: schemaVersion,
		Language:      "go",
		Approach:      cfg.Approach,
		Status:        statusOK,
		Workload:      w,
		Runtime:       rt,
		Environment:   env,
	}
}

// fail turns r into an error document: every measurement becomes null.
func (r *result) fail(kind, message string) {
	r.Status = statusError
	r.Error = &runError{Kind: kind, Message: message}
	r.TotalMs, r.ThroughputPerS = nil, nil
	r.LatencyMs, r.Memory, r.CPU, r.Checksum = nil, nil, nil, nil
	r.Concurrency = nil // absent from error documents
}

// encodeResult renders the document as one line followed by a newline.
func encodeResult(r *result) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
