package main

import (
	"bytes"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// atFailure is error.at_failure: what the runner counted when the run failed,
// beside the limits that bind those counts. Every field is null where it
// cannot be read.
//
// Go can only fill it for the failures it catches (a task that panicked, a
// read error). A refused OS thread ("runtime: failed to create new OS thread")
// and a heap that cannot grow ("fatal error: runtime: out of memory") are fatal
// runtime errors: the process dies before any code of the runner can run.
type atFailure struct {
	Threads    *int64        `json:"threads"`
	MemoryMaps *int64        `json:"memory_maps"`
	Pids       *int64        `json:"pids"`
	RSSBytes   *int64        `json:"rss_bytes"`
	Limits     failureLimits `json:"limits"`
}

type failureLimits struct {
	PidsMax          *int64 `json:"pids_max"`
	PidMax           *int64 `json:"pid_max"`
	ThreadsMax       *int64 `json:"threads_max"`
	MaxMapCount      *int64 `json:"max_map_count"`
	RlimitNproc      *int64 `json:"rlimit_nproc"`
	RlimitASBytes    *int64 `json:"rlimit_as_bytes"`
	MemoryLimitBytes *int64 `json:"memory_limit_bytes"`
}

// collectAtFailure reads the counts and the limits now: call it where the
// failure is handled, before waiting for the tasks already started.
func collectAtFailure(cg cgroupReader) *atFailure {
	at := &atFailure{
		MemoryMaps: countLines("/proc/self/maps"),
		Pids:       cg.pidsCurrent(),
		Limits: failureLimits{
			PidsMax:          cg.pidsMax(),
			PidMax:           readIntFile("/proc/sys/kernel/pid_max"),
			ThreadsMax:       readIntFile("/proc/sys/kernel/threads-max"),
			MaxMapCount:      readIntFile("/proc/sys/vm/max_map_count"),
			RlimitNproc:      softRlimit(rlimitNproc()),
			RlimitASBytes:    softRlimit(syscall.RLIMIT_AS),
			MemoryLimitBytes: cg.memoryLimit(),
		},
	}
	if st, err := readProcStatus(); err == nil {
		threads, rss := int64(st.Threads), st.VmRSS
		at.Threads, at.RSSBytes = &threads, &rss
	}
	return at
}

// rlimitNproc is RLIMIT_NPROC, which package syscall does not name: 6 on
// Linux, 8 on MIPS.
func rlimitNproc() int {
	if strings.HasPrefix(runtime.GOARCH, "mips") {
		return 8
	}
	return 6
}

// softRlimit is the soft limit of resource, nil when unlimited or unreadable.
func softRlimit(resource int) *int64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(resource, &lim); err != nil {
		return nil
	}
	cur := uint64(lim.Cur)
	if cur == math.MaxUint64 || cur > math.MaxInt64 { // RLIM_INFINITY
		return nil
	}
	n := int64(cur)
	return &n
}

// readIntFile is the integer a one-value file (/proc/sys/...) holds, nil when
// unreadable.
func readIntFile(path string) *int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || n < 0 {
		return nil
	}
	return &n
}

// countLines counts the lines of a file without holding all of it (a process
// near vm.max_map_count has ~65k lines in /proc/self/maps); nil when unreadable.
func countLines(path string) *int64 {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var n int64
	buf := make([]byte, 32*1024)
	last := byte('\n')
	for {
		k, err := f.Read(buf)
		if k > 0 {
			n += int64(bytes.Count(buf[:k], []byte{'\n'}))
			last = buf[k-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil
		}
	}
	if last != '\n' { // a last line without its newline
		n++
	}
	return &n
}
