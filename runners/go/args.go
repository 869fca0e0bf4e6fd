package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// config is the validated command line.
type config struct {
	Workload     string  // "io", "cpu", "cpu-loop" or "mixed"
	Approach     string  // "goroutines"
	Tasks        int     // N >= 1
	IOMs         float64 // io and mixed: D > 0, milliseconds
	PoolSize     int     // accepted for contract compatibility, unused (recorded as null)
	Workers      int     // accepted for contract compatibility, unused (recorded as null)
	PayloadBytes int     // cpu only: B >= 1
	Repeat       int     // cpu only: R >= 1
	LoopBytes    int     // cpu-loop and mixed: L >= 1
}

// approachesByWorkload lists what this runner implements, per workload;
// contract_test.go checks it against the contract's approaches for go, both ways.
var approachesByWorkload = map[string][]string{
	"io":       {"goroutines"},
	"cpu":      {"goroutines"},
	"cpu-loop": {"goroutines"},
	"mixed":    {"goroutines"},
}

const usageText = `usage: runner --approach goroutines [--workload io|cpu|cpu-loop|mixed] [--tasks N] [--io-ms D]
              [--payload-bytes B] [--repeat R] [--loop-bytes L] [--pool-size N] [--workers N] [--help]

Go runner of concbench-poly: one measured run, one JSON document on stdout.

  --workload io|cpu|cpu-loop|mixed
                       io: each task time.Sleep(D); cpu: each task sha256(payload_i * R);
                       cpu-loop: each task FNV-1a 32 of its L-byte payload_i in a Go loop;
                       mixed: each task time.Sleep(D), then cpu-loop's work (default io)
  --approach NAME      goroutines (required)
  --tasks N            number of tasks, integer >= 1 (default 1000)
  --io-ms D            io and mixed: wait per task in ms, a number > 0 (default 10)
  --payload-bytes B    cpu only: base payload size in bytes, integer >= 1 (default 64)
  --repeat R           cpu only: payload repetitions before hashing, integer >= 1 (default 10000)
  --loop-bytes L       cpu-loop and mixed: bytes each task hashes, integer >= 1 (default 16384)
  --pool-size N        threadpool only: accepted and ignored (recorded as null)
  --workers N          multiprocessing/worker_threads only: accepted and ignored (recorded as null)
  --help               this text on stderr, exit 0

Both --name value and --name=value are accepted. Exit codes: 0 ok, 1 status error, 2 usage error.
`

// errHelp is returned by parseArgs when --help / -h was given.
var errHelp = errors.New("help requested")

// usageError is a usage error about one argument.
type usageError struct {
	Arg string // "--tasks"; empty when the error is not about a named argument
	Msg string
}

func (e *usageError) Error() string {
	if e.Arg == "" {
		return e.Msg
	}
	return e.Arg + ": " + e.Msg
}

// argParser carries the error of the last failed flag.Value.Set, because the
// flag package flattens it into its own message.
type argParser struct {
	setErr *usageError
}

func (p *argParser) fail(name, format string, a ...any) error {
	p.setErr = &usageError{Arg: "--" + name, Msg: fmt.Sprintf(format, a...)}
	return p.setErr
}

// looksLikeFlag reports whether a value is really the next argument, i.e. the
// value of the previous flag is missing (`--tasks --io-ms 5`).
func looksLikeFlag(v string) bool { return strings.HasPrefix(v, "--") }

// posIntValue is an integer flag that must be >= 1.
type posIntValue struct {
	p    *argParser
	name string
	dst  *int
}

func (v *posIntValue) String() string {
	if v.dst == nil {
		return ""
	}
	return strconv.Itoa(*v.dst)
}

func (v *posIntValue) Set(s string) error {
	if looksLikeFlag(s) {
		return v.p.fail(v.name, "expected a value, got %s", quote(s))
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return v.p.fail(v.name, "expected an integer >= 1, got %s", quote(s))
	}
	*v.dst = n
	return nil
}

// maxIOMs keeps D * 1e6 ns well inside time.Duration (int64 ns).
var maxIOMs = float64(math.MaxInt64/int64(time.Millisecond)) / 2

// posFloatValue is a finite number flag that must be > 0.
type posFloatValue struct {
	p    *argParser
	name string
	dst  *float64
}

func (v *posFloatValue) String() string {
	if v.dst == nil {
		return ""
	}
	return strconv.FormatFloat(*v.dst, 'g', -1, 64)
}

func (v *posFloatValue) Set(s string) error {
	if looksLikeFlag(s) {
		return v.p.fail(v.name, "expected a value, got %s", quote(s))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
		return v.p.fail(v.name, "expected a number > 0, got %s", quote(s))
	}
	if f > maxIOMs {
		return v.p.fail(v.name, "expected a number <= %g, got %s", maxIOMs, quote(s))
	}
	*v.dst = f
	return nil
}

// choiceValue is a string flag restricted to a set of choices.
type choiceValue struct {
	p       *argParser
	name    string
	choices []string
	dst     *string
}

func (v *choiceValue) String() string {
	if v.dst == nil {
		return ""
	}
	return *v.dst
}

func (v *choiceValue) Set(s string) error {
	if looksLikeFlag(s) {
		return v.p.fail(v.name, "expected a value, got %s", quote(s))
	}
	for _, c := range v.choices {
		if s == c {
			*v.dst = s
			return nil
		}
	}
	return v.p.fail(v.name, "invalid choice %s (choose from %s)", quote(s), strings.Join(v.choices, ", "))
}

// allApproaches is the union of approachesByWorkload, sorted.
func allApproaches() []string {
	seen := map[string]bool{}
	var out []string
	for _, list := range approachesByWorkload {
		for _, a := range list {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sort.Strings(out)
	return out
}

// parseArgs parses and validates the command line (without the program name).
// It returns errHelp for --help, or a *usageError naming the bad argument.
func parseArgs(args []string) (config, error) {
	cfg := config{
		Workload:     "io",
		Tasks:        1000,
		IOMs:         10,
		PoolSize:     50,
		Workers:      4,
		PayloadBytes: 64,
		Repeat:       10000,
		LoopBytes:    16384,
	}
	p := &argParser{}
	fs := flag.NewFlagSet("runner", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.Var(&choiceValue{p, "workload", []string{"io", "cpu", "cpu-loop", "mixed"}, &cfg.Workload}, "workload", "")
	fs.Var(&choiceValue{p, "approach", allApproaches(), &cfg.Approach}, "approach", "")
	fs.Var(&posIntValue{p, "tasks", &cfg.Tasks}, "tasks", "")
	fs.Var(&posFloatValue{p, "io-ms", &cfg.IOMs}, "io-ms", "")
	fs.Var(&posIntValue{p, "pool-size", &cfg.PoolSize}, "pool-size", "")
	fs.Var(&posIntValue{p, "workers", &cfg.Workers}, "workers", "")
	fs.Var(&posIntValue{p, "payload-bytes", &cfg.PayloadBytes}, "payload-bytes", "")
	fs.Var(&posIntValue{p, "repeat", &cfg.Repeat}, "repeat", "")
	fs.Var(&posIntValue{p, "loop-bytes", &cfg.LoopBytes}, "loop-bytes", "")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, errHelp
		}
		if p.setErr != nil {
			return cfg, p.setErr
		}
		return cfg, translateFlagError(err)
	}
	if fs.NArg() > 0 {
		return cfg, &usageError{Msg: fmt.Sprintf("unexpected argument %s", quote(fs.Arg(0)))}
	}
	if cfg.Approach == "" {
		return cfg, &usageError{Arg: "--approach", Msg: fmt.Sprintf("required (choose from %s)",
			strings.Join(approachesByWorkload[cfg.Workload], ", "))}
	}
	if !contains(approachesByWorkload[cfg.Workload], cfg.Approach) {
		return cfg, &usageError{Arg: "--approach", Msg: fmt.Sprintf("%s does not exist for workload %s (choose from %s)",
			quote(cfg.Approach), cfg.Workload, strings.Join(approachesByWorkload[cfg.Workload], ", "))}
	}
	return cfg, nil
}

// translateFlagError turns the flag package's own messages into ones that
// name the argument the way the user wrote it (--name).
func translateFlagError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return &usageError{Arg: "--" + name, Msg: "unrecognized argument"}
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return &usageError{Arg: "--" + name, Msg: "expected a value"}
	}
	if arg, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		return &usageError{Arg: arg, Msg: "bad argument syntax"}
	}
	return &usageError{Msg: msg}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// quote renders a user-supplied value as 'value' on one line.
func quote(s string) string {
	return "'" + oneLine(s) + "'"
}

// oneLine escapes line breaks and other control characters so a message
// always stays a single stderr line.
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
