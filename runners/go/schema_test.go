package main

// The runner's documents against schema/result.schema.json composed with
// schema/runner_contract.json exactly as schema/README.md says, through a small
// JSON Schema (2020-12) validator that covers the keywords the schema uses and
// fails on any other keyword, so it can never silently under-validate.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// orderedKeys returns the keys of a JSON object in file order.
func orderedKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// composedSchema is result.schema.json completed with the contract (schema/README.md, steps 1-7).
func composedSchema(t *testing.T) map[string]any {
	t.Helper()
	dir := filepath.Join("..", "..", "schema")
	var schema map[string]any
	readJSON(t, filepath.Join(dir, "result.schema.json"), &schema)
	var contract struct {
		SchemaVersion json.Number                `json:"schema_version"`
		Workloads     json.RawMessage            `json:"workloads"`
		ErrorKinds    map[string]json.RawMessage `json:"error_kinds"`
		Languages     json.RawMessage            `json:"languages"`
	}
	readJSON(t, filepath.Join(dir, "runner_contract.json"), &contract)
	var workloads map[string]struct {
		Options []any `json:"options"`
	}
	var languages map[string]struct {
		Approaches json.RawMessage `json:"approaches"`
	}
	if err := json.Unmarshal(contract.Workloads, &workloads); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(contract.Languages, &languages); err != nil {
		t.Fatal(err)
	}

	props := schema["properties"].(map[string]any)
	props["schema_version"].(map[string]any)["const"] = contract.SchemaVersion // 1
	var languageNames, approaches []any
	var perLanguage []any
	for _, name := range orderedKeys(t, contract.Languages) {
		languageNames = append(languageNames, name) // 2
		own := orderedKeys(t, languages[name].Approaches)
		var ownAny []any
		for _, a := range own {
			ownAny = append(ownAny, a)
			if !slices.Contains(approaches, any(a)) {
				approaches = append(approaches, a) // 3
			}
		}
		perLanguage = append(perLanguage, map[string]any{ // 5
			"if":   map[string]any{"properties": map[string]any{"language": map[string]any{"const": name}}, "required": []any{"language"}},
			"then": map[string]any{"properties": map[string]any{"approach": map[string]any{"enum": ownAny}}},
		})
	}
	props["language"].(map[string]any)["enum"] = languageNames
	props["approach"].(map[string]any)["enum"] = approaches
	var kinds []any
	for _, group := range []string{"runner", "orchestrator"} {
		for _, k := range orderedKeys(t, contract.ErrorKinds[group]) {
			kinds = append(kinds, k)
		}
	}
	errorObject := props["error"].(map[string]any)["oneOf"].([]any)[1].(map[string]any)
	errorObject["properties"].(map[string]any)["kind"].(map[string]any)["enum"] = kinds // 4
	allOf, _ := schema["allOf"].([]any)
	schema["allOf"] = append(allOf, perLanguage...)

	workload := props["workload"].(map[string]any)
	var workloadKinds, perWorkload []any
	for _, w := range orderedKeys(t, contract.Workloads) {
		workloadKinds = append(workloadKinds, w)          // 6
		perWorkload = append(perWorkload, map[string]any{ // 7
			"if":   map[string]any{"properties": map[string]any{"kind": map[string]any{"const": w}}, "required": []any{"kind"}},
			"then": map[string]any{"required": workloads[w].Options},
		})
	}
	workload["properties"].(map[string]any)["kind"].(map[string]any)["enum"] = workloadKinds
	wAllOf, _ := workload["allOf"].([]any)
	workload["allOf"] = append(wAllOf, perWorkload...)
	return schema
}

var knownKeywords = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "title": true, "description": true, "$defs": true,
	"$ref": true, "type": true, "enum": true, "const": true, "required": true, "properties": true,
	"additionalProperties": true, "items": true, "minItems": true, "maxItems": true, "minimum": true,
	"exclusiveMinimum": true, "minLength": true, "oneOf": true, "allOf": true, "if": true, "then": true,
	"else": true, "format": true,
}

var dateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$`)

type validator struct {
	root map[string]any
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func typeMatches(typ string, v any) bool {
	switch typ {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		f, ok := number(v)
		return ok && !math.IsInf(f, 0) && !math.IsNaN(f)
	case "integer":
		f, ok := number(v)
		return ok && f == math.Trunc(f)
	}
	panic("schema subset: unsupported type " + typ)
}

func canonical(v any) string {
	if n, ok := v.(json.Number); ok { // 1 and 1.0 are the same JSON number
		f, _ := n.Float64()
		return fmt.Sprint(f)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (vd validator) errors(schema any, value any, where string) []string {
	var errs []string
	vd.check(schema, value, where, &errs)
	return errs
}

func (vd validator) check(schemaAny any, value any, where string, errs *[]string) {
	if b, ok := schemaAny.(bool); ok {
		if !b {
			*errs = append(*errs, where+": not allowed")
		}
		return
	}
	schema := schemaAny.(map[string]any)
	for key := range schema {
		if !knownKeywords[key] {
			panic(fmt.Sprintf("schema subset: unsupported keyword %s at %s", key, where))
		}
	}
	if ref, ok := schema["$ref"].(string); ok {
		if !strings.HasPrefix(ref, "#/") {
			panic("schema subset: unsupported $ref " + ref)
		}
		var node any = vd.root
		for _, part := range strings.Split(ref[2:], "/") {
			node = node.(map[string]any)[part]
		}
		vd.check(node, value, where, errs)
	}
	if typ, ok := schema["type"]; ok {
		types, _ := typ.([]any)
		if s, ok := typ.(string); ok {
			types = []any{s}
		}
		matched := false
		for _, t := range types {
			matched = matched || typeMatches(t.(string), value)
		}
		if !matched {
			*errs = append(*errs, fmt.Sprintf("%s: expected type %v, got %s", where, types, canonical(value)))
			return
		}
	}
	if enum, ok := schema["enum"].([]any); ok {
		if !slices.ContainsFunc(enum, func(e any) bool { return canonical(e) == canonical(value) }) {
			*errs = append(*errs, fmt.Sprintf("%s: %s not in enum %s", where, canonical(value), canonical(enum)))
		}
	}
	if c, ok := schema["const"]; ok && canonical(c) != canonical(value) {
		*errs = append(*errs, fmt.Sprintf("%s: %s is not the const %s", where, canonical(value), canonical(c)))
	}
	if f, ok := number(value); ok {
		if m, ok := number(schema["minimum"]); ok && f < m {
			*errs = append(*errs, fmt.Sprintf("%s: %v < minimum %v", where, f, m))
		}
		if m, ok := number(schema["exclusiveMinimum"]); ok && f <= m {
			*errs = append(*errs, fmt.Sprintf("%s: %v <= exclusiveMinimum %v", where, f, m))
		}
	}
	if s, ok := value.(string); ok {
		if m, ok := number(schema["minLength"]); ok && float64(len([]rune(s))) < m {
			*errs = append(*errs, where+": too short")
		}
		if schema["format"] == "date-time" && !dateTime.MatchString(s) {
			*errs = append(*errs, where+": not a date-time")
		}
	}
	if arr, ok := value.([]any); ok {
		if m, ok := number(schema["minItems"]); ok && float64(len(arr)) < m {
			*errs = append(*errs, where+": too few items")
		}
		if m, ok := number(schema["maxItems"]); ok && float64(len(arr)) > m {
			*errs = append(*errs, where+": too many items")
		}
		if items, ok := schema["items"]; ok {
			for i, item := range arr {
				vd.check(items, item, fmt.Sprintf("%s[%d]", where, i), errs)
			}
		}
	}
	if obj, ok := value.(map[string]any); ok {
		required, _ := schema["required"].([]any)
		for _, name := range required {
			if _, ok := obj[name.(string)]; !ok {
				*errs = append(*errs, fmt.Sprintf("%s: missing required %s", where, name))
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for _, name := range sortedKeys(obj) {
			if sub, ok := props[name]; ok {
				vd.check(sub, obj[name], where+"."+name, errs)
			} else if schema["additionalProperties"] == false {
				*errs = append(*errs, fmt.Sprintf("%s: unexpected property %s", where, name))
			}
		}
	}
	if all, ok := schema["allOf"].([]any); ok {
		for _, sub := range all {
			vd.check(sub, value, where, errs)
		}
	}
	if one, ok := schema["oneOf"].([]any); ok {
		matching := 0
		for _, sub := range one {
			if len(vd.errors(sub, value, where)) == 0 {
				matching++
			}
		}
		if matching != 1 {
			*errs = append(*errs, fmt.Sprintf("%s: matches %d of oneOf, want exactly 1", where, matching))
		}
	}
	if cond, ok := schema["if"]; ok {
		branch, has := schema["else"]
		if len(vd.errors(cond, value, where)) == 0 {
			branch, has = schema["then"]
		}
		if has {
			vd.check(branch, value, where, errs)
		}
	}
}

// schemaErrors validates one document (bytes as printed) against the composed schema.
func schemaErrors(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var value any
	if err := dec.Decode(&value); err != nil {
		t.Fatalf("not JSON: %v: %s", err, doc)
	}
	schema := composedSchema(t)
	return validator{root: schema}.errors(schema, value, "$")
}

// assertSchemaValid fails the test with every schema error of doc.
func assertSchemaValid(t *testing.T, doc []byte) {
	t.Helper()
	if errs := schemaErrors(t, doc); len(errs) > 0 {
		t.Errorf("document not valid against the composed schema:\n%s\n%s", strings.Join(errs, "\n"), doc)
	}
}

// TestSchemaSubsetOnExamples: the validator accepts every valid example and
// rejects every invalid one, so it does validate.
func TestSchemaSubsetOnExamples(t *testing.T) {
	for _, kind := range []string{"valid", "invalid"} {
		paths, err := filepath.Glob(filepath.Join("..", "..", "schema", "examples", kind, "*.json"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no %s examples: %v", kind, err)
		}
		sort.Strings(paths)
		for _, path := range paths {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			errs := schemaErrors(t, data)
			if kind == "valid" && len(errs) > 0 {
				t.Errorf("%s rejected:\n%s", path, strings.Join(errs, "\n"))
			}
			if kind == "invalid" && len(errs) == 0 {
				t.Errorf("%s accepted", path)
			}
		}
	}
}
