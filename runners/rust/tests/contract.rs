//! The runner keeps schema/runner_contract.json: approaches, options, exit codes, error kinds,
//! schema_version. The contract is the one owner of these facts; these tests replay it against the
//! runner's own parser and constants, so a change on either side fails here until the other follows.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{LANGUAGE, contract, own_approaches, run_main};
use concbench_runner::args::{self, APPROACHES, Approach, OPTIONS, OptionKind, parse_args};
use concbench_runner::json::{self, Value};
use concbench_runner::result::{self, Document, ErrorKind, RuntimeInfo};

/// Renders a contract number the way a user would type it.
fn cli_number(v: f64) -> String {
    if v == v.trunc() { format!("{}", v as i64) } else { format!("{v}") }
}

fn case_args(approach: &str, workload: &str) -> Vec<String> {
    common::args(&["--workload", workload, "--approach", approach])
}

/// Any valid case: the base command line of the option checks.
fn base_args(c: &Value) -> Vec<String> {
    let (approach, workloads, _) = own_approaches(c).into_iter().next().expect("an approach");
    case_args(&approach, &workloads[0])
}

/// A usage error per the contract: its exit code, empty stdout, one stderr line naming `named`.
fn assert_refused(c: &Value, args: &[String], named: &str) {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run_main(&refs);
    let usage = c.at(&["exit_codes", "usage"]).and_then(Value::as_i64).expect("usage code");
    assert_eq!(i64::from(code), usage, "{args:?}: exit code, stderr {err:?}");
    assert!(out.is_empty(), "{args:?}: stdout not empty: {out:?}");
    assert!(err.ends_with('\n') && err.matches('\n').count() == 1, "{args:?}: stderr is not one line: {err:?}");
    assert!(
        err.starts_with("runner: error: ") && err.contains(named),
        "{args:?}: stderr {err:?} does not name {named}"
    );
}

fn option_spec<'a>(c: &'a Value, name: &str) -> &'a Value {
    c.at(&["options", name]).unwrap_or_else(|| panic!("the contract has no option {name}"))
}

#[test]
fn the_contract_has_this_runner_at_this_folder() {
    let c = contract();
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).canonicalize().expect("the crate folder");
    let root = here.join("..").join("..").canonicalize().expect("the repository");
    let rel = here.strip_prefix(&root).expect("inside the repository").to_string_lossy().replace('\\', "/");
    assert_eq!(c.at(&["languages", LANGUAGE, "source_dir"]).and_then(Value::as_str), Some(rel.as_str()));
}

#[test]
fn approaches_by_workload_are_the_contracts() {
    let c = contract();
    let contract_workloads: Vec<&str> = c.get("workloads").expect("workloads").keys();
    assert_eq!(args::WORKLOADS.to_vec(), contract_workloads, "workloads");
    let own = own_approaches(&c);
    for workload in &contract_workloads {
        let want: BTreeSet<String> =
            own.iter().filter(|(_, w, _)| w.iter().any(|x| x == workload)).map(|(a, _, _)| a.clone()).collect();
        let got: BTreeSet<String> = args::approaches_for(workload).into_iter().map(str::to_string).collect();
        assert_eq!(got, want, "{workload} approaches");
    }
    let names: Vec<String> = own.iter().map(|(a, _, _)| a.clone()).collect();
    assert_eq!(args::all_approaches(), names, "approaches, in the contract's order");
    for (name, _) in APPROACHES {
        assert_eq!(args::Approach::from_name(name).map(|a| a.name()), Some(name));
    }
}

#[test]
fn every_contract_case_is_accepted() {
    let c = contract();
    for (approach, workloads, _) in own_approaches(&c) {
        for workload in workloads {
            let cfg =
                parse_args(&case_args(&approach, &workload)).unwrap_or_else(|e| panic!("{approach}/{workload}: {e}"));
            assert_eq!((cfg.approach.name(), cfg.workload.name()), (approach.as_str(), workload.as_str()));
        }
    }
}

#[test]
fn approaches_the_contract_does_not_give_are_refused() {
    let c = contract();
    let own = own_approaches(&c);
    let mut refused = 0;
    for workload in c.get("workloads").expect("workloads").keys() {
        for (approach, workloads, _) in &own {
            if !workloads.iter().any(|w| w == workload) {
                assert_refused(&c, &case_args(approach, workload), "--approach");
                refused += 1;
            }
        }
        for (language, spec) in c.get("languages").and_then(Value::as_object).expect("languages") {
            for approach in spec.get("approaches").expect("approaches").keys() {
                if !own.iter().any(|(a, _, _)| a == approach) {
                    assert_refused(&c, &case_args(approach, workload), "--approach");
                    refused += 1;
                }
                let _ = language;
            }
        }
    }
    assert!(refused > 0, "the contract gives no approach to refuse");
}

/// Every option of the contract is a row of OPTIONS with its flag and default, and its flag,
/// given a value that is not the default, changes exactly that option, to that value.
#[test]
fn option_flags_and_defaults_are_the_contracts() {
    let c = contract();
    let options = c.get("options").expect("options");
    let names: Vec<&str> = options.keys();
    let mine: Vec<&str> = OPTIONS.iter().map(|o| o.name).collect();
    assert_eq!(mine.iter().copied().collect::<BTreeSet<_>>(), names.iter().copied().collect::<BTreeSet<_>>());
    let base = base_args(&c);
    let defaults = parse_args(&base).expect("the base case");
    for spec in OPTIONS {
        let want = option_spec(&c, spec.name);
        assert_eq!(want.get("flag").and_then(Value::as_str), Some(spec.flag), "{} flag", spec.name);
        let default = want.get("default").and_then(Value::as_f64).expect("a default");
        assert_eq!(spec.default, default, "{} default", spec.name);
        assert_eq!(defaults.option(spec.name), Some(default), "{}: the parsed default", spec.name);
        let typ = want.get("type").and_then(Value::as_str).expect("a type");
        let (kind, step) = match typ {
            "integer" => (OptionKind::Integer, 1.0),
            _ => (OptionKind::Number, 0.5),
        };
        assert_eq!(spec.kind, kind, "{} type", spec.name);
        let value = default + step;
        let mut line = base.clone();
        line.extend([spec.flag.to_string(), cli_number(value)]);
        let cfg = parse_args(&line).unwrap_or_else(|e| panic!("{}: {e}", spec.flag));
        for other in OPTIONS {
            let got = cfg.option(other.name).expect("known");
            if other.name == spec.name {
                assert_eq!(got, value, "{} {} set {}", spec.flag, cli_number(value), other.name);
            } else {
                assert_eq!(got, defaults.option(other.name).expect("known"), "{} changed {}", spec.flag, other.name);
            }
        }
        // The --name=value spelling too.
        let mut line = base.clone();
        line.push(format!("{}={}", spec.flag, cli_number(value)));
        assert_eq!(parse_args(&line).expect("--name=value").option(spec.name), Some(value));
    }
}

#[test]
fn option_minimums_are_the_contracts() {
    let c = contract();
    let base = base_args(&c);
    for spec in OPTIONS {
        let want = option_spec(&c, spec.name);
        let step = if spec.kind == OptionKind::Integer { 1.0 } else { 0.5 };
        let (accepted, refused) = if let Some(m) = want.get("minimum").and_then(Value::as_f64) {
            (m, m - step)
        } else if let Some(m) = want.get("exclusive_minimum").and_then(Value::as_f64) {
            (m + step, m)
        } else {
            panic!("option {} has no lower bound in the contract", spec.name);
        };
        let mut ok = base.clone();
        ok.extend([spec.flag.to_string(), cli_number(accepted)]);
        assert!(parse_args(&ok).is_ok(), "{} {} refused", spec.flag, cli_number(accepted));
        let mut bad = base.clone();
        bad.extend([spec.flag.to_string(), cli_number(refused)]);
        assert_refused(&c, &bad, spec.flag);
        if spec.kind == OptionKind::Integer {
            let mut half = base.clone();
            half.extend([spec.flag.to_string(), cli_number(spec.default + 0.5)]);
            assert_refused(&c, &half, spec.flag);
        }
        for junk in ["abc", "", "nan", "inf", "-5"] {
            let mut line = base.clone();
            line.extend([spec.flag.to_string(), junk.to_string()]);
            assert_refused(&c, &line, spec.flag);
        }
    }
}

/// The document records the options that apply to the case (every workload's common options, the
/// workload's own, the approach's sized_by) and null (or nothing) for the others.
#[test]
fn the_workload_block_holds_the_cases_options() {
    let c = contract();
    let workloads = c.get("workloads").expect("workloads");
    let by_workload: BTreeSet<String> = workloads
        .as_object()
        .expect("workloads")
        .iter()
        .flat_map(|(_, spec)| spec.get("options").and_then(Value::as_array).expect("options").iter())
        .map(|o| o.as_str().expect("a name").to_string())
        .collect();
    let sizing: BTreeSet<String> = c
        .get("languages")
        .and_then(Value::as_object)
        .expect("languages")
        .iter()
        .flat_map(|(_, l)| l.get("approaches").and_then(Value::as_object).expect("approaches").iter())
        .filter_map(|(_, a)| a.get("sized_by").and_then(Value::as_str).map(str::to_string))
        .collect();
    for (approach, case_workloads, sized_by) in own_approaches(&c) {
        for workload in case_workloads {
            let cfg = parse_args(&case_args(&approach, &workload)).expect("a case");
            let rt = RuntimeInfo { name: "rustc".into(), version: "test".into() };
            let doc = json::parse(&Document::new(cfg.clone(), rt, Default::default()).to_json()).expect("JSON");
            let block = doc.get("workload").expect("workload");
            let own: Vec<&str> = workloads
                .at(&[workload.as_str(), "options"])
                .and_then(Value::as_array)
                .expect("options")
                .iter()
                .map(|o| o.as_str().expect("a name"))
                .collect();
            for spec in OPTIONS {
                let applies = (!by_workload.contains(spec.name) && !sizing.contains(spec.name))
                    || own.contains(&spec.name)
                    || sized_by.as_deref() == Some(spec.name);
                let got = block.get(spec.name);
                if applies {
                    assert_eq!(
                        got.and_then(Value::as_f64),
                        cfg.option(spec.name),
                        "{approach}/{workload}: workload.{}",
                        spec.name
                    );
                } else {
                    assert!(got.is_none_or(Value::is_null), "{approach}/{workload}: workload.{} = {got:?}", spec.name);
                }
            }
            // The sizing options are always present, null where they do not size the approach.
            for key in ["pool_size", "workers"] {
                assert!(block.get(key).is_some(), "{approach}/{workload}: workload.{key} absent");
            }
        }
    }
}

#[test]
fn schema_version_exit_codes_and_error_kinds_are_the_contracts() {
    let c = contract();
    assert_eq!(c.get("schema_version").and_then(Value::as_u64), Some(result::SCHEMA_VERSION));
    let codes = c.get("exit_codes").expect("exit codes");
    let mine = [("ok", result::EXIT_OK), ("run_failed", result::EXIT_RUN_FAILED), ("usage", result::EXIT_USAGE)];
    assert_eq!(codes.keys().len(), mine.len());
    for (name, code) in mine {
        assert_eq!(codes.get(name).and_then(Value::as_i64), Some(i64::from(code)), "exit code {name}");
    }
    let runner_kinds: Vec<&str> = c.at(&["error_kinds", "runner"]).expect("runner kinds").keys();
    for kind in ErrorKind::ALL {
        // Exhaustive: a new variant fails to compile here until it is listed in ALL.
        let listed = match kind {
            ErrorKind::ResourceExhausted | ErrorKind::OutOfMemory | ErrorKind::Internal => {
                ErrorKind::ALL.contains(&kind)
            }
        };
        assert!(listed && runner_kinds.contains(&kind.as_str()), "{:?} = {} is not a runner kind", kind, kind.as_str());
    }
}

#[test]
fn the_contract_entry_describes_this_runner() {
    let c = contract();
    let entry = c.at(&["languages", LANGUAGE]).expect("the rust entry");
    // The pool approaches are sized by --workers, the others unbounded.
    for (approach, _, sized_by) in own_approaches(&c) {
        let sized = Approach::from_name(&approach).expect("an approach of this runner").sized_by_workers();
        let want = if sized { Some("workers") } else { None };
        assert_eq!(sized_by.as_deref(), want, "{approach} sized_by");
    }
    // runtime_memory.shown names keys the runner prints in memory.runtime.
    let rt = RuntimeInfo { name: "rustc".into(), version: "test".into() };
    let cfg = parse_args(&base_args(&c)).expect("a case");
    let mut doc = Document::new(cfg, rt, Default::default());
    doc.memory = Some(result::Memory { allocator: Some(Default::default()), ..Default::default() });
    let printed = json::parse(&doc.to_json()).expect("JSON");
    let runtime = printed.at(&["memory", "runtime"]).expect("memory.runtime");
    assert_eq!(entry.at(&["runtime_memory", "unit"]).and_then(Value::as_str), Some("bytes"));
    for key in entry.at(&["runtime_memory", "shown"]).and_then(Value::as_array).expect("shown") {
        let key = key.as_str().expect("a key");
        assert!(runtime.get(key).is_some(), "runtime_memory.shown names {key}, which the runner never prints");
    }
    // The image recipe's build arguments are the Dockerfile's ARGs.
    let dockerfile =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Dockerfile")).expect("Dockerfile");
    let runtimes = entry.at(&["image", "runtimes"]).and_then(Value::as_object).expect("runtimes");
    for (_, recipe) in runtimes {
        for flavour in ["official", "offline"] {
            for arg in recipe.get(flavour).expect("a recipe").keys() {
                assert!(dockerfile.contains(&format!("ARG {arg}")), "the Dockerfile has no ARG {arg}");
            }
        }
    }
}
