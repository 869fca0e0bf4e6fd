package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestParseArgsDefaultsAndForms(t *testing.T) {
	cfg, err := parseArgs([]string{"--approach", "goroutines"})
	if err != nil {
		t.Fatalf("parseArgs: %v", err)
	}
	want := config{Workload: "io", Approach: "goroutines", Tasks: 1000, IOMs: 10, PoolSize: 50, Workers: 4,
		PayloadBytes: 64, Repeat: 10000, LoopBytes: 16384}
	if cfg != want {
		t.Errorf("defaults = %+v, want %+v", cfg, want)
	}

	cfg, err = parseArgs([]string{"--tasks=7", "--workload", "cpu", "--repeat=3", "--payload-bytes", "5",
		"--io-ms=0.5", "--pool-size", "2", "--workers=3", "--loop-bytes=9", "--approach=goroutines"})
	if err != nil {
		t.Fatalf("parseArgs: %v", err)
	}
	want = config{Workload: "cpu", Approach: "goroutines", Tasks: 7, IOMs: 0.5, PoolSize: 2, Workers: 3,
		PayloadBytes: 5, Repeat: 3, LoopBytes: 9}
	if cfg != want {
		t.Errorf("parsed = %+v, want %+v", cfg, want)
	}
}

func TestParseArgsHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "-help"} {
		if _, err := parseArgs([]string{arg}); !errors.Is(err, errHelp) {
			t.Errorf("parseArgs(%q) error = %v, want errHelp", arg, err)
		}
	}
}

// usageCases are bad command lines and the argument the error must name.
var usageCases = []struct {
	name string
	args []string
	arg  string // must appear in the message
}{
	{"tasks zero", []string{"--approach", "goroutines", "--tasks", "0"}, "--tasks"},
	{"tasks negative", []string{"--approach", "goroutines", "--tasks", "-5"}, "--tasks"},
	{"tasks negative equals", []string{"--approach", "goroutines", "--tasks=-5"}, "--tasks"},
	{"tasks not a number", []string{"--approach", "goroutines", "--tasks", "abc"}, "--tasks"},
	{"tasks float", []string{"--approach", "goroutines", "--tasks", "1.5"}, "--tasks"},
	{"tasks empty", []string{"--approach", "goroutines", "--tasks="}, "--tasks"},
	{"tasks missing value at end", []string{"--approach", "goroutines", "--tasks"}, "--tasks"},
	{"tasks missing value before flag", []string{"--tasks", "--approach", "goroutines"}, "--tasks"},
	{"approach unknown", []string{"--approach", "bogus"}, "--approach"},
	{"approach of another runner", []string{"--approach", "threading"}, "--approach"},
	{"approach missing", []string{"--tasks", "10"}, "--approach"},
	{"approach missing value", []string{"--approach"}, "--approach"},
	{"workload unknown", []string{"--approach", "goroutines", "--workload", "disk"}, "--workload"},
	{"io-ms zero", []string{"--approach", "goroutines", "--io-ms", "0"}, "--io-ms"},
	{"io-ms negative", []string{"--approach", "goroutines", "--io-ms=-1"}, "--io-ms"},
	{"io-ms nan", []string{"--approach", "goroutines", "--io-ms", "NaN"}, "--io-ms"},
	{"io-ms inf", []string{"--approach", "goroutines", "--io-ms", "inf"}, "--io-ms"},
	{"repeat zero", []string{"--approach", "goroutines", "--workload", "cpu", "--repeat", "0"}, "--repeat"},
	{"payload zero", []string{"--approach", "goroutines", "--payload-bytes", "0"}, "--payload-bytes"},
	{"loop-bytes zero", []string{"--approach", "goroutines", "--workload", "cpu-loop", "--loop-bytes", "0"}, "--loop-bytes"},
	{"loop-bytes not a number", []string{"--approach", "goroutines", "--loop-bytes=1k"}, "--loop-bytes"},
	{"pool-size zero", []string{"--approach", "goroutines", "--pool-size", "0"}, "--pool-size"},
	{"workers abc", []string{"--approach", "goroutines", "--workers", "abc"}, "--workers"},
	{"unknown flag", []string{"--approach", "goroutines", "--frobnicate", "1"}, "--frobnicate"},
	{"unknown flag equals", []string{"--approach", "goroutines", "--frobnicate=1"}, "--frobnicate"},
	{"positional", []string{"--approach", "goroutines", "extra"}, "'extra'"},
	{"positional after terminator", []string{"--approach", "goroutines", "--", "x"}, "'x'"},
}

func TestParseArgsErrorsNameTheArgument(t *testing.T) {
	for _, c := range usageCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseArgs(c.args)
			if err == nil {
				t.Fatalf("parseArgs(%q) accepted a bad command line", c.args)
			}
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v (%T) is not a *usageError", err, err)
			}
			if !strings.Contains(err.Error(), c.arg) {
				t.Errorf("error %q does not name %s", err, c.arg)
			}
		})
	}
}

func TestParseArgsTasksMessage(t *testing.T) {
	_, err := parseArgs([]string{"--approach", "goroutines", "--tasks", "abc"})
	if got, want := err.Error(), "--tasks: expected an integer >= 1, got 'abc'"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

// TestRealMainUsageContract checks the stream contract in-process: exit 2,
// nothing on stdout, exactly one line on stderr.
func TestRealMainUsageContract(t *testing.T) {
	for _, c := range usageCases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := realMain(c.args, &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("exit code = %d, want %d", code, exitUsage)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty: %q", stdout.String())
			}
			msg := stderr.String()
			if !strings.HasSuffix(msg, "\n") || strings.Count(msg, "\n") != 1 {
				t.Errorf("stderr is not exactly one line: %q", msg)
			}
			if !strings.HasPrefix(msg, "runner: error: ") || !strings.Contains(msg, c.arg) {
				t.Errorf("stderr %q does not name %s", msg, c.arg)
			}
		})
	}
}

func TestRealMainHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := realMain([]string{"--help"}, &stdout, &stderr); code != exitOK {
		t.Errorf("exit code = %d, want 0", code)
	}
	if stdout.Len() != 0 {
		t.Errorf("help wrote to stdout: %q", stdout.String())
	}
	if !strings.Contains(stderr.String(), "--approach") {
		t.Errorf("help text lacks --approach: %q", stderr.String())
	}
}

func TestOneLineEscapesLineBreaks(t *testing.T) {
	_, err := parseArgs([]string{"--approach", "goroutines", "--tasks", "1\n2"})
	if err == nil || strings.ContainsAny(err.Error(), "\n\r") {
		t.Fatalf("error %q", err)
	}
	var stdout, stderr bytes.Buffer
	realMain([]string{"--approach", "a\nb"}, &stdout, &stderr)
	if strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("stderr is not one line: %q", stderr.String())
	}
}
