package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cgroupReader reads the runner's own cgroup (v1 or v2) as the contract says:
// the own path comes from /proc/self/cgroup, joined to the mount point, and
// falls back to the mount root when that joined path does not exist (a
// container without a cgroup namespace sees the host's path). A cgroup path of
// "/" means the runner has no cgroup of its own: every value is then null.
type cgroupReader struct {
	mountRoot  string // normally /sys/fs/cgroup
	selfCgroup string // contents of /proc/self/cgroup
}

func newCgroupReader() cgroupReader {
	data, _ := os.ReadFile("/proc/self/cgroup")
	return cgroupReader{mountRoot: "/sys/fs/cgroup", selfCgroup: string(data)}
}

// version is 2 if <mnt>/cgroup.controllers exists, 1 if <mnt>/memory exists,
// 0 when neither does.
func (c cgroupReader) version() int {
	if fileExists(filepath.Join(c.mountRoot, "cgroup.controllers")) {
		return 2
	}
	if fileExists(filepath.Join(c.mountRoot, "memory")) {
		return 1
	}
	return 0
}

// ownDir returns the directory of the runner's own cgroup for a v1 controller
// (ignored for v2), and false when there is none of its own (root "/", no
// matching line, nothing mounted).
func (c cgroupReader) ownDir(version int, controller string) (string, bool) {
	for _, line := range strings.Split(c.selfCgroup, "\n") {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		hierarchy, controllers, path := parts[0], parts[1], parts[2]
		var mounts []string
		switch version {
		case 2:
			if hierarchy != "0" || controllers != "" {
				continue
			}
			mounts = []string{c.mountRoot}
		case 1:
			if !contains(strings.Split(controllers, ","), controller) {
				continue
			}
			// /sys/fs/cgroup/cpu is usually a link to /sys/fs/cgroup/cpu,cpuacct.
			mounts = []string{filepath.Join(c.mountRoot, controller), filepath.Join(c.mountRoot, controllers)}
		default:
			return "", false
		}
		if path == "/" || path == "" {
			// cgroup v2 with a private cgroup namespace (Docker's default there) shows "0::/"
			// for the container's own cgroup; the true root cgroup never has memory.max.
			if version == 2 && fileExists(filepath.Join(c.mountRoot, "memory.max")) {
				return c.mountRoot, true
			}
			return "", false
		}
		for _, mnt := range mounts {
			if !dirExists(mnt) {
				continue
			}
			if joined := filepath.Join(mnt, path); dirExists(joined) {
				return joined, true
			}
			return mnt, true
		}
		return "", false
	}
	return "", false
}

// readFile returns the trimmed contents of name in the own cgroup of controller.
func (c cgroupReader) readFile(version int, controller, name string) (string, bool) {
	dir, ok := c.ownDir(version, controller)
	if !ok {
		return "", false
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(data)), true
}

func (c cgroupReader) readInt(version int, controller, name string) (int64, bool) {
	s, ok := c.readFile(version, controller, name)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// memoryPeak: v2 memory.peak, v1 memory.max_usage_in_bytes; nil when absent.
func (c cgroupReader) memoryPeak() *int64 {
	var n int64
	var ok bool
	switch v := c.version(); v {
	case 2:
		n, ok = c.readInt(v, "memory", "memory.peak")
	case 1:
		n, ok = c.readInt(v, "memory", "memory.max_usage_in_bytes")
	}
	if !ok || n < 0 {
		return nil
	}
	return &n
}

// unlimitedBytes: a v1 limit at or above this (2^60) is "no limit".
const unlimitedBytes = int64(1) << 60

// memoryLimit: v2 memory.max, v1 memory.limit_in_bytes; nil when unlimited.
func (c cgroupReader) memoryLimit() *int64 {
	var s string
	var ok bool
	switch v := c.version(); v {
	case 2:
		s, ok = c.readFile(v, "memory", "memory.max")
	case 1:
		s, ok = c.readFile(v, "memory", "memory.limit_in_bytes")
	}
	if !ok || s == "max" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n >= unlimitedBytes {
		return nil
	}
	return &n
}

// cpuQuotaCores: v2 cpu.max "quota period", v1 cfs_quota_us / cfs_period_us;
// nil when unlimited (max, -1) or unreadable.
func (c cgroupReader) cpuQuotaCores() *float64 {
	var quota, period int64
	switch v := c.version(); v {
	case 2:
		s, ok := c.readFile(v, "cpu", "cpu.max")
		if !ok {
			return nil
		}
		fields := strings.Fields(s)
		if len(fields) != 2 || fields[0] == "max" {
			return nil
		}
		var err1, err2 error
		quota, err1 = strconv.ParseInt(fields[0], 10, 64)
		period, err2 = strconv.ParseInt(fields[1], 10, 64)
		if err1 != nil || err2 != nil {
			return nil
		}
	case 1:
		var ok1, ok2 bool
		quota, ok1 = c.readInt(v, "cpu", "cpu.cfs_quota_us")
		period, ok2 = c.readInt(v, "cpu", "cpu.cfs_period_us")
		if !ok1 || !ok2 {
			return nil
		}
	default:
		return nil
	}
	if quota <= 0 || period <= 0 {
		return nil
	}
	cores := float64(quota) / float64(period)
	return &cores
}

// cpuset: v2 cpuset.cpus.effective, v1 cpuset.effective_cpus or cpuset.cpus.
func (c cgroupReader) cpuset() *string {
	var names []string
	v := c.version()
	switch v {
	case 2:
		names = []string{"cpuset.cpus.effective"}
	case 1:
		names = []string{"cpuset.effective_cpus", "cpuset.cpus"}
	}
	for _, name := range names {
		if s, ok := c.readFile(v, "cpuset", name); ok && s != "" {
			return &s
		}
	}
	return nil
}

// cgroupInfo is environment.cgroup.
type cgroupInfo struct {
	Version          *int     `json:"version"`
	CPUQuotaCores    *float64 `json:"cpu_quota_cores"`
	Cpuset           *string  `json:"cpuset"`
	MemoryLimitBytes *int64   `json:"memory_limit_bytes"`
}

func (c cgroupReader) info() cgroupInfo {
	info := cgroupInfo{}
	if v := c.version(); v != 0 {
		info.Version = &v
	}
	info.CPUQuotaCores = c.cpuQuotaCores()
	info.Cpuset = c.cpuset()
	info.MemoryLimitBytes = c.memoryLimit()
	return info
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func dirExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// The reads below (schema_version 2) come from the same own cgroup as the
// others and happen outside the window.

// memoryUsage: v2 memory.current, v1 memory.usage_in_bytes; nil when absent
// (memory.cgroup_baseline_bytes).
func (c cgroupReader) memoryUsage() *int64 {
	switch v := c.version(); v {
	case 2:
		return c.nonNegative(v, "memory", "memory.current")
	case 1:
		return c.nonNegative(v, "memory", "memory.usage_in_bytes")
	}
	return nil
}

// cpuUsageSeconds is the own cgroup's CPU time over its life: v2 cpu.stat
// usage_usec / 1e6; v1 cpuacct.usage / 1e9 through the cpuacct controller
// (mounted alone or co-mounted as cpu,cpuacct).
func (c cgroupReader) cpuUsageSeconds() *float64 {
	switch v := c.version(); v {
	case 2:
		return scaled(c.cpuStat(v, "usage_usec"), 1e6)
	case 1:
		return scaled(c.nonNegative(v, "cpuacct", "cpuacct.usage"), 1e9)
	}
	return nil
}

// throttledPeriods is cpu.stat nr_throttled (v1 and v2).
func (c cgroupReader) throttledPeriods() *int64 {
	return c.cpuStat(c.version(), "nr_throttled")
}

// throttledSeconds: v2 cpu.stat throttled_usec / 1e6, v1 throttled_time / 1e9.
func (c cgroupReader) throttledSeconds() *float64 {
	switch v := c.version(); v {
	case 2:
		return scaled(c.cpuStat(v, "throttled_usec"), 1e6)
	case 1:
		return scaled(c.cpuStat(v, "throttled_time"), 1e9)
	}
	return nil
}

// pidsCurrent is the pids controller's pids.current.
func (c cgroupReader) pidsCurrent() *int64 {
	return c.nonNegative(c.version(), "pids", "pids.current")
}

// pidsMax is the pids controller's pids.max, nil when "max" (unlimited).
func (c cgroupReader) pidsMax() *int64 {
	return c.nonNegative(c.version(), "pids", "pids.max")
}

// cpuStat is one key of the cpu controller's cpu.stat, nil when the file or
// the key is absent.
func (c cgroupReader) cpuStat(version int, key string) *int64 {
	s, ok := c.readFile(version, "cpu", "cpu.stat")
	if !ok {
		return nil
	}
	for _, line := range strings.Split(s, "\n") {
		fields := strings.Fields(line)
		if len(fields) != 2 || fields[0] != key {
			continue
		}
		n, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil || n < 0 {
			return nil
		}
		return &n
	}
	return nil
}

// nonNegative is a file holding one integer >= 0; nil when absent, "max" or
// anything else.
func (c cgroupReader) nonNegative(version int, controller, name string) *int64 {
	n, ok := c.readInt(version, controller, name)
	if !ok || n < 0 {
		return nil
	}
	return &n
}

// scaled is n / unit as a float, nil for nil.
func scaled(n *int64, unit float64) *float64 {
	if n == nil {
		return nil
	}
	f := float64(*n) / unit
	return &f
}
