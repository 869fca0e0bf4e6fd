"""The runner keeps schema/runner_contract.json: approaches, options, exit codes, error kinds, schema_version.

The contract is the one owner of these facts; this module replays it against the runner's own parser
and constants the way the other modules replay the shared vector files, so a change on either side
fails here until the other side follows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from python_runner_harness import (
    REPO_ROOT,
    RUNNER_DIR,
    SCHEMA_DIR,
    SCHEMA_PATH,
    load_contract,
    load_schema,
    run_runner,
    schema_errors,
)

from concbench_runner.arguments import (
    ALL_APPROACHES,
    APPROACHES_BY_WORKLOAD,
    EXIT_USAGE,
    BenchmarkConfig,
    parse_arguments,
)
from concbench_runner.cli import EXIT_OK, EXIT_RUN_FAILED
from concbench_runner.failures import ERROR_KINDS
from concbench_runner.result_document import SCHEMA_VERSION, workload_document

LANGUAGE = "python"
CONTRACT = load_contract()
LANGUAGES: dict[str, Any] = CONTRACT["languages"]
OWN_APPROACHES: dict[str, Any] = LANGUAGES[LANGUAGE]["approaches"]
WORKLOADS: dict[str, Any] = CONTRACT["workloads"]
OPTIONS: dict[str, Any] = CONTRACT["options"]

# (approach, workload) pairs the contract lists for this language, and the pairs it does not.
ACCEPTED = [(approach, workload) for approach, spec in OWN_APPROACHES.items() for workload in spec["workloads"]]
REFUSED = [
    (approach, workload)
    for approach, spec in OWN_APPROACHES.items()
    for workload in WORKLOADS
    if workload not in spec["workloads"]
]
# Approaches only other languages have: this runner must refuse them for every workload.
FOREIGN = [
    (approach, workload)
    for approach in dict.fromkeys(
        approach
        for name, language in LANGUAGES.items()
        if name != LANGUAGE
        for approach in language["approaches"]
        if approach not in OWN_APPROACHES
    )
    for workload in WORKLOADS
]
# Options that size one approach's pool (pool_size, workers): recorded only for that approach.
SIZING_OPTIONS = {
    spec["sized_by"]
    for language in LANGUAGES.values()
    for spec in language["approaches"].values()
    if "sized_by" in spec
}
# Options no workload lists and no approach is sized by (tasks): recorded for every case.
COMMON_OPTIONS = set(OPTIONS) - SIZING_OPTIONS - {option for spec in WORKLOADS.values() for option in spec["options"]}


def case_arguments(approach: str, workload: str) -> list[str]:
    return ["--workload", workload, "--approach", approach]


# Any valid case: the base command line of the option checks.
BASE_ARGUMENTS = case_arguments(*ACCEPTED[0])


def case_id(case: tuple[str, str]) -> str:
    return f"{case[0]}-{case[1]}"


def assert_refused(args: list[str], named: str) -> None:
    """A usage error per the contract: its usage exit code, empty stdout, one stderr line naming `named`."""
    result = run_runner(args, timeout=60)
    assert result.returncode == CONTRACT["exit_codes"]["usage"], result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("runner: error: ")
    assert named in lines[0]


def test_contract_has_this_runner() -> None:
    assert LANGUAGES[LANGUAGE]["source_dir"] == RUNNER_DIR.relative_to(REPO_ROOT).as_posix()
    assert ACCEPTED


def test_workloads_are_the_contracts() -> None:
    assert set(APPROACHES_BY_WORKLOAD) == set(WORKLOADS)


@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_approaches_per_workload_are_the_contracts(workload: str) -> None:
    listed = {approach for approach, spec in OWN_APPROACHES.items() if workload in spec["workloads"]}
    assert set(APPROACHES_BY_WORKLOAD[workload]) == listed


def test_all_approaches_are_the_contracts() -> None:
    assert sorted(ALL_APPROACHES) == sorted(OWN_APPROACHES)


@pytest.mark.parametrize("case", ACCEPTED, ids=case_id)
def test_approach_is_accepted_for_its_workloads(case: tuple[str, str]) -> None:
    approach, workload = case
    config = parse_arguments(case_arguments(approach, workload))
    assert (config.approach, config.workload) == (approach, workload)


@pytest.mark.parametrize("case", REFUSED, ids=case_id)
def test_approach_is_refused_for_other_workloads(case: tuple[str, str]) -> None:
    assert_refused(case_arguments(*case), "--approach")


@pytest.mark.parametrize("case", FOREIGN, ids=case_id)
def test_approaches_of_other_languages_are_refused(case: tuple[str, str]) -> None:
    assert_refused(case_arguments(*case), "--approach")


def test_config_fields_are_the_contracts_options() -> None:
    fields = set(BenchmarkConfig._fields) - {"workload", "approach"}
    assert fields == set(OPTIONS)


@pytest.mark.parametrize("option", list(OPTIONS))
def test_option_default_is_the_contracts(option: str) -> None:
    assert getattr(parse_arguments(BASE_ARGUMENTS), option) == OPTIONS[option]["default"]


@pytest.mark.parametrize("option", list(OPTIONS))
def test_option_flag_sets_the_option(option: str) -> None:
    spec = OPTIONS[option]
    # Not the default, so that a flag wired to another field (or to nothing) cannot pass.
    value = spec["default"] + (1 if spec["type"] == "integer" else 0.5)
    config = parse_arguments([*BASE_ARGUMENTS, spec["flag"], str(value)])
    assert getattr(config, option) == value


def lowest_accepted_and_highest_refused(spec: dict[str, Any]) -> tuple[int | float, int | float]:
    """The contract's bound as two command-line values: the smallest valid one and the largest invalid one."""
    step = 1 if spec["type"] == "integer" else 0.5
    if "minimum" in spec:
        return spec["minimum"], spec["minimum"] - step
    return spec["exclusive_minimum"] + step, spec["exclusive_minimum"]


@pytest.mark.parametrize("option", list(OPTIONS))
def test_option_minimum_is_enforced(option: str) -> None:
    spec = OPTIONS[option]
    assert "minimum" in spec or "exclusive_minimum" in spec, "every option of the contract has a lower bound"
    accepted, refused = lowest_accepted_and_highest_refused(spec)
    assert getattr(parse_arguments([*BASE_ARGUMENTS, spec["flag"], str(accepted)]), option) == accepted
    assert_refused([*BASE_ARGUMENTS, spec["flag"], str(refused)], spec["flag"])


@pytest.mark.parametrize("option", [option for option, spec in OPTIONS.items() if spec["type"] == "integer"])
def test_integer_option_refuses_a_fraction(option: str) -> None:
    spec = OPTIONS[option]
    assert_refused([*BASE_ARGUMENTS, spec["flag"], f"{spec['default']}.5"], spec["flag"])


@pytest.mark.parametrize("case", ACCEPTED, ids=case_id)
def test_workload_block_records_the_options_that_apply(case: tuple[str, str]) -> None:
    approach, workload = case
    config = parse_arguments(case_arguments(approach, workload))
    block = workload_document(config)
    applies = COMMON_OPTIONS | set(WORKLOADS[workload]["options"]) | {OWN_APPROACHES[approach].get("sized_by")}
    for option in OPTIONS:
        if option in applies:
            assert block[option] == getattr(config, option), option
        else:
            # runners/README.md: an argument that does not apply is recorded as null (or left out).
            assert block.get(option) is None, option


def test_schema_version_is_the_contracts() -> None:
    assert CONTRACT["schema_version"] == SCHEMA_VERSION


def test_exit_codes_are_the_contracts() -> None:
    assert CONTRACT["exit_codes"] == {"ok": EXIT_OK, "run_failed": EXIT_RUN_FAILED, "usage": EXIT_USAGE}


def test_error_kinds_are_runner_kinds_of_the_contract() -> None:
    assert ERROR_KINDS
    assert set(ERROR_KINDS) <= set(CONTRACT["error_kinds"]["runner"])


# The composed schema (schema/README.md) is what every other module validates runner output against:
# each of the seven steps must really constrain a document, or those checks would prove nothing.
def valid_example(name: str) -> dict[str, Any]:
    document = json.loads((SCHEMA_DIR / "examples" / "valid" / name).read_text())
    assert isinstance(document, dict)
    assert schema_errors(document) == []
    return document


def test_composed_schema_is_a_valid_schema() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(load_schema())


def test_composed_schema_lists_approaches_as_schema_readme_says() -> None:
    # Steps 3 and 5 overlap (an approach outside step 3's list is outside its language's list too), so
    # no document can tell one from the other: read them off the composed schema instead.
    schema = load_schema()
    every_approach = [approach for language in LANGUAGES.values() for approach in language["approaches"]]
    assert schema["properties"]["approach"]["enum"] == list(dict.fromkeys(every_approach))
    per_language = [
        {
            "if": {"properties": {"language": {"const": name}}, "required": ["language"]},
            "then": {"properties": {"approach": {"enum": list(language["approaches"])}}},
        }
        for name, language in LANGUAGES.items()
    ]
    own_all_of = json.loads(SCHEMA_PATH.read_text()).get("allOf", [])
    assert schema["allOf"] == [*own_all_of, *per_language]


def approach_of_another_language(language: str) -> str:
    """An approach the contract gives some language, but not `language`."""
    mine = LANGUAGES[language]["approaches"]
    return next(str(approach) for spec in LANGUAGES.values() for approach in spec["approaches"] if approach not in mine)


@pytest.mark.parametrize(
    ("field", "value_for"),
    [
        pytest.param("schema_version", lambda _: CONTRACT["schema_version"] + 1, id="1-schema-version"),
        pytest.param("language", lambda _: "cobol", id="2-language"),
        pytest.param("approach", lambda _: "fibers", id="3-approach"),
        pytest.param(
            "approach",
            lambda document: approach_of_another_language(document["language"]),
            id="5-approach-of-another-language",
        ),
    ],
)
def test_composed_schema_refuses_what_the_contract_does_not_list(
    field: str, value_for: Callable[[dict[str, Any]], object]
) -> None:
    document = valid_example("ok_io_python_asyncio.json")
    document[field] = value_for(document)
    assert schema_errors(document) != []


def test_composed_schema_refuses_an_unknown_error_kind() -> None:
    document = valid_example("error_thread_start.json")
    document["error"]["kind"] = "gremlins"
    assert schema_errors(document) != []
