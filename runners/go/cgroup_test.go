package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// writeTree creates files (path -> content) under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCgroupV2OwnPath(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"cgroup.controllers":                 "cpu memory cpuset\n",
		"memory.peak":                        "999\n", // the mount root: must not be used
		"bench/run1/memory.peak":             "123456\n",
		"bench/run1/memory.max":              "536870912\n",
		"bench/run1/cpu.max":                 "150000 100000\n",
		"bench/run1/cpuset.cpus.effective":   "0\n",
		"bench/run1/unrelated-file-for-test": "",
	})
	c := cgroupReader{mountRoot: root, selfCgroup: "0::/bench/run1\n"}
	if v := c.version(); v != 2 {
		t.Fatalf("version = %d, want 2", v)
	}
	if p := c.memoryPeak(); p == nil || *p != 123456 {
		t.Errorf("memoryPeak = %v, want 123456", p)
	}
	info := c.info()
	if info.MemoryLimitBytes == nil || *info.MemoryLimitBytes != 536870912 {
		t.Errorf("memory limit = %v", info.MemoryLimitBytes)
	}
	if info.CPUQuotaCores == nil || *info.CPUQuotaCores != 1.5 {
		t.Errorf("cpu quota = %v, want 1.5", info.CPUQuotaCores)
	}
	if info.Cpuset == nil || *info.Cpuset != "0" {
		t.Errorf("cpuset = %v", info.Cpuset)
	}
}

func TestCgroupV2FallbackToMountRootAndUnlimited(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"cgroup.controllers": "cpu memory\n",
		"memory.peak":        "4096\n",
		"memory.max":         "max\n",
		"cpu.max":            "max 100000\n",
	})
	// Host path not visible inside the container: fall back to the mount root.
	c := cgroupReader{mountRoot: root, selfCgroup: "0::/system.slice/docker-abc.scope\n"}
	if p := c.memoryPeak(); p == nil || *p != 4096 {
		t.Errorf("memoryPeak = %v, want 4096 from the mount root", p)
	}
	info := c.info()
	if info.MemoryLimitBytes != nil || info.CPUQuotaCores != nil || info.Cpuset != nil {
		t.Errorf("unlimited values not null: %+v", info)
	}
}

func TestCgroupRootIsNull(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		// The true root cgroup: it never has memory.max (that is how it differs from a
		// namespaced container's own cgroup, which also shows up as "0::/").
		"cgroup.controllers": "memory\n",
		"memory.peak":        "4096\n",
	})
	c := cgroupReader{mountRoot: root, selfCgroup: "0::/\n"}
	if p := c.memoryPeak(); p != nil {
		t.Errorf("memoryPeak = %d for the root cgroup, want null", *p)
	}
	if l := c.memoryLimit(); l != nil {
		t.Errorf("memoryLimit = %d for the root cgroup, want null", *l)
	}
	if v := c.info().Version; v == nil || *v != 2 {
		t.Errorf("version = %v, want 2", v)
	}
}

func TestCgroupV1(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"memory/docker/abc/memory.max_usage_in_bytes": "777\n",
		"memory/docker/abc/memory.limit_in_bytes":     "9223372036854771712\n",
		"cpu,cpuacct/docker/abc/cpu.cfs_quota_us":     "50000\n",
		"cpu,cpuacct/docker/abc/cpu.cfs_period_us":    "100000\n",
		"cpuset/cpuset.effective_cpus":                "1\n", // path missing: mount root
	})
	self := "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n3:cpuset:/docker/abc\n1:name=systemd:/docker/abc\n0::/\n"
	c := cgroupReader{mountRoot: root, selfCgroup: self}
	if v := c.version(); v != 1 {
		t.Fatalf("version = %d, want 1", v)
	}
	if p := c.memoryPeak(); p == nil || *p != 777 {
		t.Errorf("memoryPeak = %v, want 777", p)
	}
	info := c.info()
	if info.MemoryLimitBytes != nil {
		t.Errorf("memory limit %d >= 2^60 not null", *info.MemoryLimitBytes)
	}
	if info.CPUQuotaCores == nil || *info.CPUQuotaCores != 0.5 {
		t.Errorf("cpu quota = %v, want 0.5", info.CPUQuotaCores)
	}
	if info.Cpuset == nil || *info.Cpuset != "1" {
		t.Errorf("cpuset = %v, want 1", info.Cpuset)
	}

	writeTree(t, root, map[string]string{"cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "-1\n"})
	if q := c.cpuQuotaCores(); q != nil {
		t.Errorf("quota -1 gave %v, want null", *q)
	}
}

func TestCgroupNone(t *testing.T) {
	c := cgroupReader{mountRoot: t.TempDir(), selfCgroup: ""}
	info := c.info()
	if info.Version != nil || info.MemoryLimitBytes != nil || info.CPUQuotaCores != nil || info.Cpuset != nil ||
		c.memoryPeak() != nil {
		t.Errorf("no cgroup fs gave %+v", info)
	}
}

func TestCgroupV2NamespacedRootIsOwnWhenItHasMemoryMax(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"cgroup.controllers":    "cpu memory cpuset\n",
		"memory.max":            "268435456\n",
		"memory.peak":           "777\n",
		"cpuset.cpus.effective": "0\n",
	})
	c := cgroupReader{mountRoot: root, selfCgroup: "0::/\n"}
	if p := c.memoryPeak(); p == nil || *p != 777 {
		t.Errorf("memoryPeak = %v, want 777 (a namespaced container's own cgroup)", p)
	}
	if info := c.info(); info.MemoryLimitBytes == nil || *info.MemoryLimitBytes != 268435456 {
		t.Errorf("memory limit = %v, want 268435456", info.MemoryLimitBytes)
	}
}

type cgroupVectors struct {
	Comment string `json:"$comment"`
	Cases   []struct {
		Name           string            `json:"name"`
		ProcSelfCgroup string            `json:"proc_self_cgroup"`
		Files          map[string]string `json:"files"`
		Expected       struct {
			Version          *int     `json:"version"`
			CPUQuotaCores    *float64 `json:"cpu_quota_cores"`
			Cpuset           *string  `json:"cpuset"`
			MemoryLimitBytes *int64   `json:"memory_limit_bytes"`
			CgroupPeakBytes  *int64   `json:"cgroup_peak_bytes"`
			// Added in schema_version 2.
			CgroupUsageBytes *int64   `json:"cgroup_usage_bytes"`
			CPUUsageS        *float64 `json:"cpu_usage_s"`
			ThrottledPeriods *int64   `json:"throttled_periods"`
			ThrottledS       *float64 `json:"throttled_s"`
			PidsCurrent      *int64   `json:"pids_current"`
			PidsMax          *int64   `json:"pids_max"`
		} `json:"expected"`
	} `json:"cases"`
}

// show renders an optional value for failure messages.
func show[T any](p *T) any {
	if p == nil {
		return "null"
	}
	return *p
}

func sameOptional[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// TestCgroupVectors replays schema/cgroup_vectors.json on fake trees through the real reader.
func TestCgroupVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "schema", "cgroup_vectors.json"))
	if err != nil {
		t.Fatalf("reading shared vectors: %v", err)
	}
	var vec cgroupVectors
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // an expected key the runner does not replay fails here
	if err := dec.Decode(&vec); err != nil {
		t.Fatalf("decoding shared vectors: %v", err)
	}
	if len(vec.Cases) < 10 {
		t.Fatalf("only %d cases in cgroup_vectors.json", len(vec.Cases))
	}
	for _, tc := range vec.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "fs")
			writeTree(t, root, tc.Files)
			c := cgroupReader{mountRoot: root, selfCgroup: tc.ProcSelfCgroup}
			info := c.info()
			want := tc.Expected
			if !sameOptional(info.Version, want.Version) {
				t.Errorf("version = %v, want %v", show(info.Version), show(want.Version))
			}
			if !sameOptional(info.CPUQuotaCores, want.CPUQuotaCores) {
				t.Errorf("cpu_quota_cores = %v, want %v", show(info.CPUQuotaCores), show(want.CPUQuotaCores))
			}
			if !sameOptional(info.Cpuset, want.Cpuset) {
				t.Errorf("cpuset = %v, want %v", show(info.Cpuset), show(want.Cpuset))
			}
			if !sameOptional(info.MemoryLimitBytes, want.MemoryLimitBytes) {
				t.Errorf("memory_limit_bytes = %v, want %v", show(info.MemoryLimitBytes), show(want.MemoryLimitBytes))
			}
			if peak := c.memoryPeak(); !sameOptional(peak, want.CgroupPeakBytes) {
				t.Errorf("cgroup_peak_bytes = %v, want %v", show(peak), show(want.CgroupPeakBytes))
			}
			if got := c.memoryUsage(); !sameOptional(got, want.CgroupUsageBytes) {
				t.Errorf("cgroup_usage_bytes = %v, want %v", show(got), show(want.CgroupUsageBytes))
			}
			if got := c.cpuUsageSeconds(); !sameOptional(got, want.CPUUsageS) {
				t.Errorf("cpu_usage_s = %v, want %v", show(got), show(want.CPUUsageS))
			}
			if got := c.throttledPeriods(); !sameOptional(got, want.ThrottledPeriods) {
				t.Errorf("throttled_periods = %v, want %v", show(got), show(want.ThrottledPeriods))
			}
			if got := c.throttledSeconds(); !sameOptional(got, want.ThrottledS) {
				t.Errorf("throttled_s = %v, want %v", show(got), show(want.ThrottledS))
			}
			if got := c.pidsCurrent(); !sameOptional(got, want.PidsCurrent) {
				t.Errorf("pids_current = %v, want %v", show(got), show(want.PidsCurrent))
			}
			if got := c.pidsMax(); !sameOptional(got, want.PidsMax) {
				t.Errorf("pids_max = %v, want %v", show(got), show(want.PidsMax))
			}
		})
	}
}
