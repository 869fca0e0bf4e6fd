//! Shared by the test files: the repository's schema folder, the contract, and the result schema
//! composed with the contract exactly as schema/README.md says (steps 1-7), checked by a small
//! JSON Schema (2020-12) validator that covers the keywords the schema uses and panics on any
//! other keyword, so it can never silently under-validate.

#![allow(dead_code)]

use std::path::PathBuf;

use concbench_runner::json::{self, Value};

pub const LANGUAGE: &str = "rust";

/// schema/ of the repository (this crate is runners/rust).
pub fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("..").join("schema")
}

pub fn read_json(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    json::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn contract() -> Value {
    let c = read_json(schema_dir().join("runner_contract.json"));
    assert!(c.at(&["languages", LANGUAGE]).is_some(), "the contract has no language {LANGUAGE}");
    c
}

/// This language's approaches in the contract: (name, workloads, sized_by).
pub fn own_approaches(c: &Value) -> Vec<(String, Vec<String>, Option<String>)> {
    let approaches = c.at(&["languages", LANGUAGE, "approaches"]).expect("approaches");
    approaches
        .as_object()
        .expect("an object")
        .iter()
        .map(|(name, spec)| {
            let workloads = spec
                .get("workloads")
                .and_then(Value::as_array)
                .expect("workloads")
                .iter()
                .map(|w| w.as_str().expect("a workload name").to_string())
                .collect();
            let sized_by = spec.get("sized_by").and_then(Value::as_str).map(str::to_string);
            (name.clone(), workloads, sized_by)
        })
        .collect()
}

fn obj(members: Vec<(&str, Value)>) -> Value {
    Value::Object(members.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

fn get_mut<'a>(v: &'a mut Value, key: &str) -> &'a mut Value {
    match v {
        Value::Object(members) => {
            &mut members.iter_mut().find(|(k, _)| k == key).unwrap_or_else(|| panic!("no {key}")).1
        }
        _ => panic!("not an object at {key}"),
    }
}

fn set(v: &mut Value, key: &str, value: Value) {
    match v {
        Value::Object(members) => match members.iter_mut().find(|(k, _)| k == key) {
            Some(member) => member.1 = value,
            None => members.push((key.to_string(), value)),
        },
        _ => panic!("not an object at {key}"),
    }
}

fn push_all(v: &mut Value, key: &str, items: Vec<Value>) {
    if v.get(key).is_none() {
        set(v, key, Value::Array(Vec::new()));
    }
    match get_mut(v, key) {
        Value::Array(existing) => existing.extend(items),
        _ => panic!("{key} is not an array"),
    }
}

/// result.schema.json completed with the contract (schema/README.md, steps 1-7).
pub fn composed_schema() -> Value {
    let mut schema = read_json(schema_dir().join("result.schema.json"));
    let c = contract();
    let props = get_mut(&mut schema, "properties");
    set(get_mut(props, "schema_version"), "const", c.get("schema_version").expect("schema_version").clone()); // 1
    let mut language_names = Vec::new();
    let mut approaches: Vec<Value> = Vec::new();
    let mut per_language = Vec::new();
    for (name, spec) in c.get("languages").and_then(Value::as_object).expect("languages") {
        language_names.push(s(name)); // 2
        let own: Vec<Value> = spec.get("approaches").expect("approaches").keys().into_iter().map(s).collect();
        for a in &own {
            if !approaches.contains(a) {
                approaches.push(a.clone()); // 3
            }
        }
        per_language.push(obj(vec![
            // 5
            (
                "if",
                obj(vec![
                    ("properties", obj(vec![("language", obj(vec![("const", s(name))]))])),
                    ("required", Value::Array(vec![s("language")])),
                ]),
            ),
            ("then", obj(vec![("properties", obj(vec![("approach", obj(vec![("enum", Value::Array(own))]))]))])),
        ]));
    }
    set(get_mut(props, "language"), "enum", Value::Array(language_names));
    set(get_mut(props, "approach"), "enum", Value::Array(approaches));
    let mut kinds = Vec::new();
    for group in ["runner", "orchestrator"] {
        kinds.extend(c.at(&["error_kinds", group]).expect("error kinds").keys().into_iter().map(s));
    }
    let error_object = match get_mut(get_mut(props, "error"), "oneOf") {
        Value::Array(items) => &mut items[1],
        _ => panic!("error.oneOf"),
    };
    set(get_mut(get_mut(error_object, "properties"), "kind"), "enum", Value::Array(kinds)); // 4

    let workloads = c.get("workloads").expect("workloads");
    let mut workload_kinds = Vec::new();
    let mut per_workload = Vec::new();
    for (w, spec) in workloads.as_object().expect("workloads") {
        workload_kinds.push(s(w)); // 6
        per_workload.push(obj(vec![
            // 7
            (
                "if",
                obj(vec![
                    ("properties", obj(vec![("kind", obj(vec![("const", s(w))]))])),
                    ("required", Value::Array(vec![s("kind")])),
                ]),
            ),
            ("then", obj(vec![("required", spec.get("options").expect("options").clone())])),
        ]));
    }
    let workload = get_mut(props, "workload");
    set(get_mut(get_mut(workload, "properties"), "kind"), "enum", Value::Array(workload_kinds));
    push_all(workload, "allOf", per_workload);
    push_all(&mut schema, "allOf", per_language);
    schema
}

const KNOWN_KEYWORDS: [&str; 25] = [
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "$defs",
    "$ref",
    "type",
    "enum",
    "const",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minimum",
    "exclusiveMinimum",
    "minLength",
    "oneOf",
    "allOf",
    "if",
    "then",
    "else",
    "format",
];

fn is_date_time(text: &str) -> bool {
    // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    if b.len() < 20 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' || !digits(8..10) {
        return false;
    }
    if !matches!(b[10], b'T' | b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', rest @ ..] => {
            rest.len() == 5 && rest[2] == b':' && rest.iter().enumerate().all(|(k, c)| k == 2 || c.is_ascii_digit())
        }
        _ => false,
    }
}

fn type_matches(typ: &str, v: &Value) -> bool {
    match typ {
        "null" => v.is_null(),
        "boolean" => matches!(v, Value::Bool(_)),
        "object" => matches!(v, Value::Object(_)),
        "array" => matches!(v, Value::Array(_)),
        "string" => matches!(v, Value::String(_)),
        "number" => v.as_f64().is_some_and(f64::is_finite),
        "integer" => v.as_f64().is_some_and(|f| f.is_finite() && f == f.trunc()),
        other => panic!("schema subset: unsupported type {other}"),
    }
}

/// 1 and 1.0 are the same JSON number.
fn canonical(v: &Value) -> String {
    match v {
        Value::Number(_) => format!("{}", v.as_f64().expect("a number")),
        other => other.to_json(),
    }
}

struct Validator<'a> {
    root: &'a Value,
}

impl Validator<'_> {
    fn errors(&self, schema: &Value, value: &Value, at: &str) -> Vec<String> {
        let mut errs = Vec::new();
        self.check(schema, value, at, &mut errs);
        errs
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, errs: &mut Vec<String>) {
        if let Value::Bool(allowed) = schema {
            if !allowed {
                errs.push(format!("{at}: not allowed"));
            }
            return;
        }
        for key in schema.keys() {
            assert!(KNOWN_KEYWORDS.contains(&key), "schema subset: unsupported keyword {key} at {at}");
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let path =
                reference.strip_prefix("#/").unwrap_or_else(|| panic!("schema subset: unsupported $ref {reference}"));
            let target = path.split('/').try_fold(self.root, |node, part| node.get(part)).expect("a $ref target");
            self.check(target, value, at, errs);
        }
        if let Some(typ) = schema.get("type") {
            let types: Vec<&str> = match typ {
                Value::String(t) => vec![t.as_str()],
                Value::Array(items) => items.iter().map(|t| t.as_str().expect("a type name")).collect(),
                _ => panic!("schema subset: bad type at {at}"),
            };
            if !types.iter().any(|t| type_matches(t, value)) {
                errs.push(format!("{at}: expected type {types:?}, got {}", canonical(value)));
                return;
            }
        }
        if let Some(Value::Array(options)) = schema.get("enum") {
            if !options.iter().any(|o| canonical(o) == canonical(value)) {
                errs.push(format!("{at}: {} not in enum", canonical(value)));
            }
        }
        if let Some(c) = schema.get("const") {
            if canonical(c) != canonical(value) {
                errs.push(format!("{at}: {} is not the const {}", canonical(value), canonical(c)));
            }
        }
        if let Some(f) = value.as_f64() {
            if let Some(m) = schema.get("minimum").and_then(Value::as_f64) {
                if f < m {
                    errs.push(format!("{at}: {f} < minimum {m}"));
                }
            }
            if let Some(m) = schema.get("exclusiveMinimum").and_then(Value::as_f64) {
                if f <= m {
                    errs.push(format!("{at}: {f} <= exclusiveMinimum {m}"));
                }
            }
        }
        if let Value::String(text) = value {
            if let Some(m) = schema.get("minLength").and_then(Value::as_f64) {
                if (text.chars().count() as f64) < m {
                    errs.push(format!("{at}: too short"));
                }
            }
            if schema.get("format").and_then(Value::as_str) == Some("date-time") && !is_date_time(text) {
                errs.push(format!("{at}: not a date-time: {text}"));
            }
        }
        if let Value::Array(items) = value {
            if let Some(m) = schema.get("minItems").and_then(Value::as_f64) {
                if (items.len() as f64) < m {
                    errs.push(format!("{at}: too few items"));
                }
            }
            if let Some(m) = schema.get("maxItems").and_then(Value::as_f64) {
                if items.len() as f64 > m {
                    errs.push(format!("{at}: too many items"));
                }
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    self.check(item_schema, item, &format!("{at}[{i}]"), errs);
                }
            }
        }
        if let Value::Object(members) = value {
            if let Some(Value::Array(required)) = schema.get("required") {
                for name in required {
                    let name = name.as_str().expect("a property name");
                    if value.get(name).is_none() {
                        errs.push(format!("{at}: missing required {name}"));
                    }
                }
            }
            let props = schema.get("properties");
            for (name, member) in members {
                match props.and_then(|p| p.get(name)) {
                    Some(sub) => self.check(sub, member, &format!("{at}.{name}"), errs),
                    None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                        errs.push(format!("{at}: unexpected property {name}"))
                    }
                    None => {}
                }
            }
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for sub in all {
                self.check(sub, value, at, errs);
            }
        }
        if let Some(Value::Array(one)) = schema.get("oneOf") {
            let matching = one.iter().filter(|sub| self.errors(sub, value, at).is_empty()).count();
            if matching != 1 {
                errs.push(format!("{at}: matches {matching} of oneOf, want exactly 1"));
            }
        }
        if let Some(cond) = schema.get("if") {
            let branch = if self.errors(cond, value, at).is_empty() { schema.get("then") } else { schema.get("else") };
            if let Some(branch) = branch {
                self.check(branch, value, at, errs);
            }
        }
    }
}

/// The schema errors of one document (its text as printed).
pub fn schema_errors(doc: &str) -> Vec<String> {
    let value = json::parse(doc).unwrap_or_else(|e| panic!("not JSON: {e}: {doc}"));
    let schema = composed_schema();
    Validator { root: &schema }.errors(&schema, &value, "$")
}

pub fn assert_schema_valid(doc: &str) {
    let errs = schema_errors(doc);
    assert!(errs.is_empty(), "document not valid against the composed schema:\n{}\n{doc}", errs.join("\n"));
}

/// The integer-valued stringly args of a command line.
pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| a.to_string()).collect()
}

/// Runs the real entry point in-process: (exit code, stdout, stderr).
pub fn run_main(list: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = concbench_runner::real_main(&args(list), &mut out, &mut err);
    (code, String::from_utf8(out).expect("utf-8 stdout"), String::from_utf8(err).expect("utf-8 stderr"))
}

/// Benchmarks in one test process run one at a time, so their timing bounds hold.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
