package main

import (
	"syscall"
	"time"
)

// usage is the part of getrusage(2) the runner reports.
type usage struct {
	user, system        time.Duration
	voluntary, involunt int64
	ok                  bool // false when getrusage failed (all zero then)
}

func getUsage(who int) usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return usage{}
	}
	return usage{
		user:      time.Duration(ru.Utime.Nano()),
		system:    time.Duration(ru.Stime.Nano()),
		voluntary: int64(ru.Nvcsw),
		involunt:  int64(ru.Nivcsw),
		ok:        true,
	}
}

// processUsage is RUSAGE_SELF plus RUSAGE_CHILDREN (always zero here: the Go
// runner starts no processes, kept so the sum matches the contract).
func processUsage() usage {
	self, children := getUsage(syscall.RUSAGE_SELF), getUsage(syscall.RUSAGE_CHILDREN)
	return usage{
		user:      self.user + children.user,
		system:    self.system + children.system,
		voluntary: self.voluntary + children.voluntary,
		involunt:  self.involunt + children.involunt,
		ok:        self.ok && children.ok,
	}
}

// cpuSeconds is user + system in seconds (checks.process_cpu_s when u is the
// whole-process total), nil when getrusage failed.
func (u usage) cpuSeconds() *float64 {
	if !u.ok {
		return nil
	}
	s := (u.user + u.system).Seconds()
	return &s
}

func (u usage) sub(before usage) usage {
	return usage{
		user:      u.user - before.user,
		system:    u.system - before.system,
		voluntary: u.voluntary - before.voluntary,
		involunt:  u.involunt - before.involunt,
		ok:        u.ok && before.ok,
	}
}
