package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runnerBinary is the runner built by TestMain the way the image builds it
// (CGO_ENABLED=0, no toolchain download).
var runnerBinary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "concbench-go-runner-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "TestMain:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	runnerBinary = filepath.Join(dir, "runner")
	build := exec.Command("go", "build", "-o", runnerBinary, ".")
	build.Env = append(os.Environ(), "GOTOOLCHAIN=local", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "TestMain: go build failed: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// execRunner runs the built binary and returns stdout, stderr and exit code.
func execRunner(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(runnerBinary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v", runnerBinary, err)
	}
	return stdout.String(), stderr.String(), code
}

func TestBinaryUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		arg  string
	}{
		{[]string{"--approach", "goroutines", "--tasks", "0"}, "--tasks"},
		{[]string{"--approach", "goroutines", "--tasks", "-5"}, "--tasks"},
		{[]string{"--approach", "goroutines", "--tasks", "abc"}, "--tasks"},
		{[]string{"--approach", "goroutines", "--tasks"}, "--tasks"},
		{[]string{"--approach", "bogus"}, "--approach"},
		{[]string{"--approach", "goroutines", "stray"}, "'stray'"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			stdout, stderr, code := execRunner(t, c.args...)
			if code != exitUsage {
				t.Errorf("exit code = %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %q", stdout)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("stderr is not exactly one line: %q", stderr)
			}
			if !strings.Contains(stderr, c.arg) {
				t.Errorf("stderr %q does not name %s", stderr, c.arg)
			}
		})
	}
}

func TestBinaryHelp(t *testing.T) {
	stdout, stderr, code := execRunner(t, "--help")
	if code != 0 || stdout != "" || !strings.Contains(stderr, "usage:") {
		t.Errorf("--help: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestBinaryPrintsOneDocument: a real run prints one JSON document and
// nothing else on stdout, nothing on stderr, exit 0.
func TestBinaryPrintsOneDocument(t *testing.T) {
	stdout, stderr, code := execRunner(t, "--workload=io", "--approach=goroutines", "--tasks=20", "--io-ms=0.5")
	if code != 0 {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr not empty: %q", stderr)
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not JSON: %v: %q", err, stdout)
	}
	if dec.More() || !strings.HasSuffix(stdout, "}\n") {
		t.Errorf("stdout has more than one document or no final newline: %q", stdout)
	}
	if doc["status"] != "ok" || doc["language"] != "go" || doc["approach"] != "goroutines" {
		t.Errorf("document = %v", doc)
	}
}
