// Command runner is the Go benchmark runner of concbench-poly.
//
// It runs one measured window of one workload with the goroutines approach and
// prints exactly one JSON document (schema/result.schema.json) on stdout.
// The contract it follows is runners/README.md.
//
// Exit codes: 0 ok, 1 status error (document still printed), 2 usage error
// (stdout empty, one line on stderr).
//
// Failures Go cannot report itself: when the OS refuses a new thread
// ("runtime: failed to create new OS thread", e.g. a pids limit) or the heap
// cannot grow ("fatal error: runtime: out of memory"), the Go runtime aborts
// the process with a fatal error that no recover() can catch. It then exits
// with status 2 and prints nothing on stdout, which looks like a usage error
// but with a multi-line runtime trace on stderr; the orchestrator classifies
// those crashes (runner_crashed / oom_killed). What this runner can catch (a
// panic inside a task, a read error of its own bookkeeping) is reported as
// status "error", exit 1, with error.at_failure (atfailure.go) read where the
// failure is handled. No memory limit or GC setting is added to make the fatal
// cases catchable: that would change what is measured.
package main

import (
	"fmt"
	"io"
	"os"
)

// The contract's exit_codes (schema/runner_contract.json); contract_test.go checks them.
const (
	exitOK        = 0
	exitRunFailed = 1
	exitUsage     = 2
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// realMain runs the runner with args (without the program name) and returns the
// process exit code.
func realMain(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args)
	if err == errHelp {
		fmt.Fprint(stderr, usageText)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "runner: error: %s\n", oneLine(err.Error()))
		return exitUsage
	}

	res := runBenchmark(cfg)

	doc, err := encodeResult(res)
	if err != nil {
		// Cannot happen with the types used; still never print a partial document.
		fmt.Fprintf(stderr, "runner: internal error: encoding result: %v\n", err)
		return exitRunFailed
	}
	if _, err := stdout.Write(doc); err != nil {
		fmt.Fprintf(stderr, "runner: writing result: %v\n", err)
		return exitRunFailed
	}
	if res.Status != statusOK {
		if res.Error != nil {
			fmt.Fprintf(stderr, "runner: %s: %s\n", res.Error.Kind, res.Error.Message)
		}
		return exitRunFailed
	}
	return exitOK
}
