package main

import (
	"encoding/json"
)

const (
	// schemaVersion follows the contract's schema_version (schema/README.md, "the version rule");
	// contract_test.go fails until the two agree.
	schemaVersion = 2
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
	// Ok documents only (see MarshalJSON): wakeup_ms is null for cpu and cpu-loop, which have no wait.
	WakeupMs *wakeupInfo `json:"-"`
	Checks   *checksInfo `json:"-"`
}

// MarshalJSON prints wakeup_ms and checks in ok documents only (null where
// they do not apply), and leaves them out of error documents, like concurrency.
func (r *result) MarshalJSON() ([]byte, error) {
	type plain result // the same fields without this method
	if r.Status != statusOK {
		return json.Marshal((*plain)(r))
	}
	return json.Marshal(struct {
		*plain
		WakeupMs *wakeupInfo `json:"wakeup_ms"`
		Checks   *checksInfo `json:"checks"`
	}{(*plain)(r), r.WakeupMs, r.Checks})
}

type runError struct {
	Kind      string     `json:"kind"`
	Message   string     `json:"message"`
	AtFailure *atFailure `json:"at_failure,omitempty"`
}

// workloadInfo: parameters that do not apply to the workload are omitted
// (io_ms except for io and mixed; payload_bytes, repeat except for cpu;
// loop_bytes except for cpu-loop and mixed); pool_size and workers are
// always null for goroutines (the contract records ignored arguments as null).
type workloadInfo struct {
	Kind         string   `json:"kind"`
	Tasks        int      `json:"tasks"`
	IOMs         *float64 `json:"io_ms,omitempty"`
	PayloadBytes *int     `json:"payload_bytes,omitempty"`
	Repeat       *int     `json:"repeat,omitempty"`
	PoolSize     *int     `json:"pool_size"`
	Workers      *int     `json:"workers"`
	LoopBytes    *int     `json:"loop_bytes,omitempty"`
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
	Processes        processesInfo `json:"processes"`
	// Own memory cgroup usage just before the window; null without an own cgroup.
	CgroupBaselineBytes *int64 `json:"cgroup_baseline_bytes"`
}

// processesInfo is memory.processes: the Go runner starts no processes, so it
// is the runner alone (count 1, its own VmHWM).
type processesInfo struct {
	Count           int   `json:"count"`
	PeakRSSSumBytes int64 `json:"peak_rss_sum_bytes"`
}

// wakeupInfo is wakeup_ms: (woke - started) - D over the tasks, in float ms.
type wakeupInfo struct {
	EarlyTasks int     `json:"early_tasks"`
	Earliest   float64 `json:"earliest"`
	P50        float64 `json:"p50"`
	P99        float64 `json:"p99"`
	Latest     float64 `json:"latest"`
}

// checksInfo is checks: whether the figures can be trusted, read outside the
// window; a value that cannot be read is null.
type checksInfo struct {
	CgroupCPUS       *float64 `json:"cgroup_cpu_s"`
	ProcessCPUS      *float64 `json:"process_cpu_s"`
	ThrottledPeriods *int64   `json:"throttled_periods"`
	ThrottledS       *float64 `json:"throttled_s"`
	SwapInPages      *int64   `json:"swap_in_pages"`
	SwapOutPages     *int64   `json:"swap_out_pages"`
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
	case "cpu-loop":
		l := cfg.LoopBytes
		w.LoopBytes = &l
	case "mixed":
		d, l := cfg.IOMs, cfg.LoopBytes
		w.IOMs, w.LoopBytes = &d, &l
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

// fail turns r into an error document: every measurement becomes null. at is
// error.at_failure, collected where the failure was handled (nil leaves it out).
func (r *result) fail(kind, message string, at *atFailure) {
	r.Status = statusError
	r.Error = &runError{Kind: kind, Message: message, AtFailure: at}
	r.TotalMs, r.ThroughputPerS = nil, nil
	r.LatencyMs, r.Memory, r.CPU, r.Checksum = nil, nil, nil, nil
	r.Concurrency, r.WakeupMs, r.Checks = nil, nil, nil // absent from error documents
}

// encodeResult renders the document as one line followed by a newline.
func encodeResult(r *result) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
