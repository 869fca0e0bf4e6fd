package main

import (
	"os"
	"runtime"
)

// collectEnvironment is what the runner sees of its machine, read before the
// window.
func collectEnvironment() environmentInfo {
	env := environmentInfo{
		CPUCount:    runtime.NumCPU(),
		Parallelism: runtime.GOMAXPROCS(0),
		Cgroup:      newCgroupReader().info(),
	}
	if st, err := readProcStatus(); err == nil && st.haveAffinity {
		a := st.CpusAllowed
		env.Affinity = &a
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		env.Hostname = &h
	}
	return env
}

func collectRuntime() runtimeInfo {
	return runtimeInfo{Name: "go", Version: runtime.Version()}
}
