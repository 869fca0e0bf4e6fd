package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
)

const procSelfStatus = "/proc/self/status"

// procStatus holds the fields of /proc/self/status the runner uses.
type procStatus struct {
	VmRSS        int64 // bytes
	VmHWM        int64 // bytes
	VmPeak       int64 // bytes
	Threads      int
	CpusAllowed  string // Cpus_allowed_list
	haveVmRSS    bool
	haveVmHWM    bool
	haveVmPeak   bool
	haveThreads  bool
	haveAffinity bool
}

// readProcStatus reads and parses /proc/self/status.
func readProcStatus() (procStatus, error) {
	data, err := os.ReadFile(procSelfStatus)
	if err != nil {
		return procStatus{}, err
	}
	return parseProcStatus(data)
}

// parseProcStatus parses the text of a /proc/<pid>/status file.
func parseProcStatus(data []byte) (procStatus, error) {
	var st procStatus
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch key {
		case "VmRSS":
			st.VmRSS, st.haveVmRSS = parseKB(val)
		case "VmHWM":
			st.VmHWM, st.haveVmHWM = parseKB(val)
		case "VmPeak":
			st.VmPeak, st.haveVmPeak = parseKB(val)
		case "Threads":
			n, err := strconv.Atoi(val)
			st.Threads, st.haveThreads = n, err == nil
		case "Cpus_allowed_list":
			st.CpusAllowed, st.haveAffinity = val, val != ""
		}
	}
	if err := sc.Err(); err != nil {
		return st, err
	}
	if !st.haveVmRSS || !st.haveVmHWM || !st.haveThreads {
		return st, errors.New("/proc/self/status lacks VmRSS, VmHWM or Threads")
	}
	return st, nil
}

// parseKB parses "1234 kB" into bytes.
func parseKB(val string) (int64, bool) {
	num, _, _ := strings.Cut(val, " ")
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n * 1024, true
}

// readThreads returns the Threads: count of /proc/self/status, 0 if unreadable.
func readThreads() int {
	st, err := readProcStatus()
	if err != nil {
		return 0
	}
	return st.Threads
}

// resetPeakRSS writes "5" to /proc/self/clear_refs, which resets VmHWM to the
// current RSS (Linux >= 4.0). It reports whether that worked.
func resetPeakRSS() bool {
	f, err := os.OpenFile("/proc/self/clear_refs", os.O_WRONLY, 0)
	if err != nil {
		return false
	}
	_, werr := f.Write([]byte("5"))
	cerr := f.Close()
	return werr == nil && cerr == nil
}

// peakRSS is memory.peak_rss_bytes: the VmHWM read after the window, but never
// below the exact VmRSS read at the window's opening (the baseline) or right
// after it. The kernel keeps VmHWM from its approximate (per-CPU batched) RSS
// counter, so the true peak is at least every exact reading.
func peakRSS(hwmAfter, baselineRSS, rssAfter int64) int64 {
	return max(hwmAfter, baselineRSS, rssAfter)
}

// swapCounters are /proc/vmstat pswpin and pswpout (pages, host-wide).
type swapCounters struct {
	in, out int64
	ok      bool
}

// readSwap reads /proc/vmstat; ok is false when either counter is missing.
func readSwap() swapCounters {
	data, err := os.ReadFile("/proc/vmstat")
	if err != nil {
		return swapCounters{}
	}
	return parseVmstat(data)
}

func parseVmstat(data []byte) swapCounters {
	var sc swapCounters
	haveIn, haveOut := false, false
	for _, line := range strings.Split(string(data), "\n") {
		key, val, ok := strings.Cut(line, " ")
		if !ok || (key != "pswpin" && key != "pswpout") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
		if err != nil || n < 0 {
			return swapCounters{}
		}
		if key == "pswpin" {
			sc.in, haveIn = n, true
		} else {
			sc.out, haveOut = n, true
		}
	}
	sc.ok = haveIn && haveOut
	return sc
}

// swapDelta is the pages swapped in and out between two reads, nil where a
// read failed.
func swapDelta(before, after swapCounters) (in, out *int64) {
	if !before.ok || !after.ok || after.in < before.in || after.out < before.out {
		return nil, nil
	}
	i, o := after.in-before.in, after.out-before.out
	return &i, &o
}
