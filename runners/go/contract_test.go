package main

// The runner keeps schema/runner_contract.json: approaches, options, exit codes,
// error kinds, schema_version. The contract is the one owner of these facts;
// these tests replay it against the runner's own parser and constants the way
// the other tests replay the shared vector files, so a change on either side
// fails here until the other side follows.

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const contractLanguage = "go"

type runnerContract struct {
	SchemaVersion int            `json:"schema_version"`
	ExitCodes     map[string]int `json:"exit_codes"`
	Workloads     map[string]struct {
		Options []string `json:"options"`
	} `json:"workloads"`
	Options    map[string]contractOption `json:"options"`
	ErrorKinds struct {
		Runner       map[string]string `json:"runner"`
		Orchestrator map[string]string `json:"orchestrator"`
	} `json:"error_kinds"`
	Languages map[string]struct {
		SourceDir  string                      `json:"source_dir"`
		Approaches map[string]contractApproach `json:"approaches"`
	} `json:"languages"`
}

type contractOption struct {
	Flag             string   `json:"flag"`
	Type             string   `json:"type"`
	Default          float64  `json:"default"`
	Minimum          *float64 `json:"minimum"`
	ExclusiveMinimum *float64 `json:"exclusive_minimum"`
}

type contractApproach struct {
	Workloads []string `json:"workloads"`
	SizedBy   string   `json:"sized_by"`
}

func loadContract(t *testing.T) runnerContract {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "schema", "runner_contract.json"))
	if err != nil {
		t.Fatalf("reading the runner contract: %v", err)
	}
	var c runnerContract
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("decoding the runner contract: %v", err)
	}
	if _, ok := c.Languages[contractLanguage]; !ok {
		t.Fatalf("the contract has no language %q", contractLanguage)
	}
	return c
}

// ownApproaches is this language's approaches in the contract.
func (c runnerContract) ownApproaches() map[string]contractApproach {
	return c.Languages[contractLanguage].Approaches
}

// sortedKeys gives map keys in a stable order, for stable subtests.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// caseArgs is the command line of one (approach, workload) case.
func caseArgs(approach, workload string) []string {
	return []string{"--workload", workload, "--approach", approach}
}

// baseArgs is any valid case: the base command line of the option checks.
func baseArgs(c runnerContract) []string {
	own := c.ownApproaches()
	approach := sortedKeys(own)[0]
	return caseArgs(approach, own[approach].Workloads[0])
}

// cliNumber renders a contract number the way a user would type it.
func cliNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// assertRefused runs the real entry point and expects a usage error per the
// contract: its usage exit code, empty stdout, one stderr line naming `named`.
func assertRefused(t *testing.T, c runnerContract, args []string, named string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := realMain(args, &stdout, &stderr); code != c.ExitCodes["usage"] {
		t.Errorf("%q: exit code = %d, want the contract's usage code %d", args, code, c.ExitCodes["usage"])
	}
	if stdout.Len() != 0 {
		t.Errorf("%q: stdout not empty: %q", args, stdout.String())
	}
	msg := stderr.String()
	if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") {
		t.Errorf("%q: stderr is not exactly one line: %q", args, msg)
	}
	if !strings.HasPrefix(msg, "runner: error: ") || !strings.Contains(msg, named) {
		t.Errorf("%q: stderr %q does not name %s", args, msg, named)
	}
}

func TestContractHasThisRunner(t *testing.T) {
	c := loadContract(t)
	here, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(root, here)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Languages[contractLanguage].SourceDir; got != filepath.ToSlash(rel) {
		t.Errorf("contract source_dir = %q, want %q", got, filepath.ToSlash(rel))
	}
}

func TestContractApproachesByWorkload(t *testing.T) {
	c := loadContract(t)
	if got, want := sortedKeys(approachesByWorkload), sortedKeys(c.Workloads); !slices.Equal(got, want) {
		t.Errorf("workloads = %v, contract has %v", got, want)
	}
	for _, workload := range sortedKeys(c.Workloads) {
		var want []string
		for approach, spec := range c.ownApproaches() {
			if slices.Contains(spec.Workloads, workload) {
				want = append(want, approach)
			}
		}
		sort.Strings(want)
		got := slices.Clone(approachesByWorkload[workload])
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s approaches = %v, contract has %v", workload, got, want)
		}
	}
	if got, want := allApproaches(), sortedKeys(c.ownApproaches()); !slices.Equal(got, want) {
		t.Errorf("all approaches = %v, contract has %v", got, want)
	}
}

func TestContractApproachesAccepted(t *testing.T) {
	c := loadContract(t)
	for _, approach := range sortedKeys(c.ownApproaches()) {
		for _, workload := range c.ownApproaches()[approach].Workloads {
			cfg, err := parseArgs(caseArgs(approach, workload))
			if err != nil {
				t.Errorf("%s/%s: %v", approach, workload, err)
				continue
			}
			if cfg.Approach != approach || cfg.Workload != workload {
				t.Errorf("%s/%s parsed as %s/%s", approach, workload, cfg.Approach, cfg.Workload)
			}
		}
	}
}

func TestContractApproachesRefused(t *testing.T) {
	c := loadContract(t)
	own := c.ownApproaches()
	refused := 0
	for _, workload := range sortedKeys(c.Workloads) {
		// This language's approaches on the workloads the contract does not list them for.
		for _, approach := range sortedKeys(own) {
			if !slices.Contains(own[approach].Workloads, workload) {
				assertRefused(t, c, caseArgs(approach, workload), "--approach")
				refused++
			}
		}
		// Approaches only other languages have, on every workload.
		for _, language := range sortedKeys(c.Languages) {
			for _, approach := range sortedKeys(c.Languages[language].Approaches) {
				if _, mine := own[approach]; !mine {
					assertRefused(t, c, caseArgs(approach, workload), "--approach")
					refused++
				}
			}
		}
	}
	if refused == 0 {
		t.Error("the contract gives no approach to refuse")
	}
}

// numberOf reads an int or float config field as a float64.
func numberOf(v reflect.Value) float64 {
	if v.CanInt() {
		return float64(v.Int())
	}
	return v.Float()
}

// optionFields maps every contract option to the config field its flag sets,
// found through the real parseArgs: the flag given a non-default value must
// change exactly one field, to that value.
func optionFields(t *testing.T, c runnerContract) map[string]string {
	t.Helper()
	base := baseArgs(c)
	defaults, err := parseArgs(base)
	if err != nil {
		t.Fatalf("parseArgs(%q): %v", base, err)
	}
	fields := map[string]string{}
	for _, option := range sortedKeys(c.Options) {
		spec := c.Options[option]
		step := 1.0
		if spec.Type == "number" {
			step = 0.5
		}
		value := spec.Default + step // not the default, so a flag wired to nothing cannot pass
		args := append(slices.Clone(base), spec.Flag, cliNumber(value))
		cfg, err := parseArgs(args)
		if err != nil {
			t.Errorf("option %s: flag %s refused: %v", option, spec.Flag, err)
			continue
		}
		var changed []string
		got, was := reflect.ValueOf(cfg), reflect.ValueOf(defaults)
		for i := 0; i < got.NumField(); i++ {
			if !got.Field(i).Equal(was.Field(i)) {
				changed = append(changed, got.Type().Field(i).Name)
			}
		}
		if len(changed) != 1 {
			t.Errorf("option %s: %s %s changed fields %v, want exactly one", option, spec.Flag, cliNumber(value), changed)
			continue
		}
		if v := numberOf(got.FieldByName(changed[0])); v != value {
			t.Errorf("option %s: %s %s set %s = %v", option, spec.Flag, cliNumber(value), changed[0], v)
		}
		fields[option] = changed[0]
	}
	return fields
}

func TestContractOptionFlagsAndDefaults(t *testing.T) {
	c := loadContract(t)
	fields := optionFields(t, c)
	defaults, err := parseArgs(baseArgs(c))
	if err != nil {
		t.Fatal(err)
	}
	for _, option := range sortedKeys(fields) {
		got := numberOf(reflect.ValueOf(defaults).FieldByName(fields[option]))
		if want := c.Options[option].Default; got != want {
			t.Errorf("option %s (%s): default %v, contract default %v", option, fields[option], got, want)
		}
	}
	// Besides Workload and Approach, config holds exactly the contract's options.
	if n := reflect.TypeOf(config{}).NumField() - 2; n != len(c.Options) {
		t.Errorf("config has %d option fields, the contract %d options", n, len(c.Options))
	}
}

func TestContractOptionMinimums(t *testing.T) {
	c := loadContract(t)
	base := baseArgs(c)
	for _, option := range sortedKeys(c.Options) {
		spec := c.Options[option]
		step := 1.0
		if spec.Type == "number" {
			step = 0.5
		}
		// The contract's bound as the smallest valid and the largest invalid value.
		var accepted, refused float64
		switch {
		case spec.Minimum != nil:
			accepted, refused = *spec.Minimum, *spec.Minimum-step
		case spec.ExclusiveMinimum != nil:
			accepted, refused = *spec.ExclusiveMinimum+step, *spec.ExclusiveMinimum
		default:
			t.Errorf("option %s has no lower bound in the contract", option)
			continue
		}
		args := append(slices.Clone(base), spec.Flag, cliNumber(accepted))
		if _, err := parseArgs(args); err != nil {
			t.Errorf("option %s: %s %s refused: %v", option, spec.Flag, cliNumber(accepted), err)
		}
		assertRefused(t, c, append(slices.Clone(base), spec.Flag, cliNumber(refused)), spec.Flag)
		if spec.Type == "integer" {
			assertRefused(t, c, append(slices.Clone(base), spec.Flag, cliNumber(spec.Default+0.5)), spec.Flag)
		}
	}
}

// TestContractWorkloadBlock: the document records the options that apply to
// the case (every workload's common options, the workload's own, the
// approach's sized_by) and null (or nothing) for the others.
func TestContractWorkloadBlock(t *testing.T) {
	c := loadContract(t)
	fields := optionFields(t, c)
	byWorkload := map[string]bool{}
	for _, spec := range c.Workloads {
		for _, option := range spec.Options {
			byWorkload[option] = true
		}
	}
	sizing := map[string]bool{}
	for _, language := range c.Languages {
		for _, spec := range language.Approaches {
			if spec.SizedBy != "" {
				sizing[spec.SizedBy] = true
			}
		}
	}
	for _, approach := range sortedKeys(c.ownApproaches()) {
		spec := c.ownApproaches()[approach]
		for _, workload := range spec.Workloads {
			cfg, err := parseArgs(caseArgs(approach, workload))
			if err != nil {
				t.Fatalf("%s/%s: %v", approach, workload, err)
			}
			data, err := json.Marshal(newResult(cfg, environmentInfo{}, runtimeInfo{}).Workload)
			if err != nil {
				t.Fatal(err)
			}
			var block map[string]any
			if err := json.Unmarshal(data, &block); err != nil {
				t.Fatal(err)
			}
			for _, option := range sortedKeys(c.Options) {
				applies := (!byWorkload[option] && !sizing[option]) ||
					slices.Contains(c.Workloads[workload].Options, option) || option == spec.SizedBy
				got := block[option]
				if !applies {
					if got != nil {
						t.Errorf("%s/%s: workload.%s = %v, want null or absent", approach, workload, option, got)
					}
					continue
				}
				want := numberOf(reflect.ValueOf(cfg).FieldByName(fields[option]))
				if f, ok := got.(float64); !ok || f != want {
					t.Errorf("%s/%s: workload.%s = %v, want %v", approach, workload, option, got, want)
				}
			}
		}
	}
}

func TestContractSchemaVersion(t *testing.T) {
	if c := loadContract(t); schemaVersion != c.SchemaVersion {
		t.Errorf("schemaVersion = %d, contract schema_version %d", schemaVersion, c.SchemaVersion)
	}
}

func TestContractExitCodes(t *testing.T) {
	c := loadContract(t)
	got := map[string]int{"ok": exitOK, "run_failed": exitRunFailed, "usage": exitUsage}
	if !reflect.DeepEqual(got, c.ExitCodes) {
		t.Errorf("exit codes = %v, contract exit_codes %v", got, c.ExitCodes)
	}
}

// TestContractErrorKinds finds every errKind constant in the runner's source
// (not a hand-kept list, which could miss a new one) and checks it is one of
// the contract's runner kinds.
func TestContractErrorKinds(t *testing.T) {
	c := loadContract(t)
	fset := token.NewFileSet()
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, path := range sources {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range spec.Names {
				if !strings.HasPrefix(name.Name, "errKind") {
					continue
				}
				found++
				lit, ok := spec.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s: %s is not a string literal", fset.Position(name.Pos()), name.Name)
					continue
				}
				kind, _ := strconv.Unquote(lit.Value)
				if _, ok := c.ErrorKinds.Runner[kind]; !ok {
					t.Errorf("%s: %s = %q is not a runner error kind of the contract", fset.Position(name.Pos()), name.Name, kind)
				}
			}
			return true
		})
	}
	if found == 0 {
		t.Error("no errKind constant found in the runner's source")
	}
}
