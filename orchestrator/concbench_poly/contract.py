"""The runner contract (schema/runner_contract.json) as frozen objects: the orchestrator's registry.

Languages, their approaches per workload, the options with their flags and defaults, the error
kinds and the current schema version are read from that one file, which every runner's own tests
also check themselves against. Nothing here is a second copy of it: adding an approach is a contract
entry plus the runner's code.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator

from concbench_poly.errors import ConcbenchError, UsageError
from concbench_poly.paths import repo_root

CONTRACT_ENV = "CONCBENCH_CONTRACT"
OptionType = Literal["integer", "number"]


class ContractError(ConcbenchError):
    """runner_contract.json is missing, malformed or contradicts itself."""


@dataclass(frozen=True)
class OptionSpec:
    """One runner option: `--pool-size N`."""

    name: str  # "pool_size": the key in the result document's workload block
    flag: str  # "--pool-size"
    type: OptionType
    default: float
    minimum: float | None
    exclusive_minimum: float | None
    maximum: float | None
    help: str
    suite_values: tuple[float, ...] | None  # what `all` runs when the user gives none

    def accepts(self, value: float) -> bool:
        if not math.isfinite(value) or (self.type == "integer" and not float(value).is_integer()):
            return False
        if self.minimum is not None and value < self.minimum:
            return False
        if self.maximum is not None and value > self.maximum:
            return False
        return not (self.exclusive_minimum is not None and value <= self.exclusive_minimum)

    def bounds(self) -> str:
        """'a number > 0 and <= 2147483647', for the one line a rejected value gets."""
        parts = []
        if self.minimum is not None:
            parts.append(f">= {self.minimum:g}")
        if self.exclusive_minimum is not None:
            parts.append(f"> {self.exclusive_minimum:g}")
        if self.maximum is not None:
            parts.append(f"<= {self.maximum:g}")
        kind = "a whole number" if self.type == "integer" else "a finite number"
        return f"{kind} {' and '.join(parts)}".strip()


@dataclass(frozen=True)
class WorkloadSpec:
    name: str
    title: str  # "I/O-bound"
    options: tuple[str, ...]  # option names that belong to this workload
    core_axis: bool  # its cases run at each core count of --cores


@dataclass(frozen=True)
class ApproachSpec:
    name: str  # "threadpool", as the runner's --approach takes it
    label: str  # "ThreadPool", as tables print it after the language's display name
    workloads: tuple[str, ...]
    sized_by: str | None  # the option that sizes a pool ("pool_size", "workers"), None when unbounded
    kind: str  # threads, thread-pool, process-pool, event-loop, goroutines, worker-pool
    runtimes: tuple[str, ...] | None = None  # the runtimes whose image has it (uvloop); None: every one

    def on(self, runtime: str) -> bool:
        return self.runtimes is None or runtime in self.runtimes


@dataclass(frozen=True)
class LastWords:
    """What a runtime prints on stderr when it dies where the runner cannot answer."""

    stderr: str  # a text to find in the stderr tail
    kind: str  # the error kind it means
    says: str  # how the report words it: "runtime out of memory"


@dataclass(frozen=True)
class RuntimeImage:
    """The build arguments of one runtime's image ('@suite': the offline Debian base of that suite)."""

    name: str  # "3.13", "3.13t", "20"
    official: tuple[tuple[str, str], ...]
    offline: tuple[tuple[str, str], ...]
    dockerfile: str = "Dockerfile"  # in the runner's folder
    # Commands run in the runner's folder on the driving machine before the image is built: what the
    # build needs from a registry the build itself cannot reach (npm, the Go proxy, PyPI).
    prepare: tuple[tuple[str, ...], ...] = ()
    # Which builds need prepare: "both", or only the "official" (online) or "offline" recipe's (a wheel
    # from PyPI for an official image whose Python is not Debian's).
    prepare_for: str = "both"
    # What prepare writes (paths in the runner's folder): this runtime's build context has them, the
    # other runtimes' contexts and tags do not.
    fetches: tuple[str, ...] = ()
    description: str | None = None  # where it comes from and how it is built, for the report

    def args(self, offline: bool) -> dict[str, str]:
        return dict(self.offline if offline else self.official)


@dataclass(frozen=True)
class LocalSpec:
    """How the local executor runs a runner as a host process ({source}, {binary} placeholders)."""

    command: tuple[str, ...]
    build: tuple[str, ...] | None
    build_env: tuple[tuple[str, str], ...]

    @property
    def tools(self) -> tuple[str, ...]:
        """Executables that must be on PATH: the first word of the build and of the command."""
        words = [self.build[0]] if self.build else []
        words += [self.command[0]] if not self.command[0].startswith("{") else []
        return tuple(dict.fromkeys(words))


@dataclass(frozen=True)
class RunnerSpec:
    """One native runner: where its sources live and what it can run."""

    language: str
    display_name: str
    source_dir: str  # relative to the repository root; also the image build context
    approaches: tuple[ApproachSpec, ...]
    runtime_memory_unit: Literal["bytes", "count"]  # of the numbers in a document's memory.runtime
    runtime_memory_shown: tuple[str, ...]  # keys the report shows; empty: every numeric key
    local: LocalSpec
    default_runtime: str
    runtimes: tuple[RuntimeImage, ...]
    last_words: tuple[LastWords, ...] = ()
    # Commands run in the runner's folder before any build of it, image or local (cargo vendor).
    prepare: tuple[tuple[str, ...], ...] = ()
    # What a reader must know to read this runtime's memory figures; the report prints it when it was measured.
    runtime_memory_note: str | None = None

    def runtime(self, name: str | None) -> RuntimeImage:
        """A runtime's image recipe; None: the default runtime."""
        wanted = name or self.default_runtime
        for runtime in self.runtimes:
            if runtime.name == wanted:
                return runtime
        known = ", ".join(r.name for r in self.runtimes)
        raise UsageError(f"--runtime: {self.language}={wanted} is not a runtime concbench-poly can build ({known})")

    def approaches_for(self, workload: str, runtime: str | None = None) -> tuple[str, ...]:
        """The approaches of a workload; on a runtime (None: the default), those its image has."""
        on = runtime or self.default_runtime
        return tuple(a.name for a in self.approaches if workload in a.workloads and a.on(on))

    def approach(self, name: str) -> ApproachSpec:
        for approach in self.approaches:
            if approach.name == name:
                return approach
        raise UsageError(f"--approach: {self.language} has no approach {name!r}")

    @property
    def approach_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.approaches)


@dataclass(frozen=True)
class Contract:
    contract_version: int
    schema_version: int
    exit_codes: tuple[tuple[str, int], ...]
    workloads: tuple[WorkloadSpec, ...]
    options: tuple[OptionSpec, ...]
    runner_error_kinds: tuple[str, ...]
    orchestrator_error_kinds: tuple[str, ...]
    runners: tuple[RunnerSpec, ...]
    source: str

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(r.language for r in self.runners)

    @property
    def workload_names(self) -> tuple[str, ...]:
        return tuple(w.name for w in self.workloads)

    @property
    def error_kinds(self) -> tuple[str, ...]:
        return self.runner_error_kinds + self.orchestrator_error_kinds

    def find_runner(self, language: str) -> RunnerSpec | None:
        """None for a language this contract does not list (old results may name one)."""
        return next((r for r in self.runners if r.language == language), None)

    def runner(self, language: str) -> RunnerSpec:
        runner = self.find_runner(language)
        if runner is not None:
            return runner
        raise UsageError(f"LANG: unknown language {language!r} (known: {', '.join(self.languages)})")

    def workload(self, name: str) -> WorkloadSpec:
        for workload in self.workloads:
            if workload.name == name:
                return workload
        raise UsageError(f"--workload: unknown workload {name!r} (known: {', '.join(self.workload_names)})")

    def option(self, name: str) -> OptionSpec:
        for option in self.options:
            if option.name == name:
                return option
        raise ContractError(f"{self.source}: no option {name!r}")

    def default(self, name: str) -> float:
        return self.option(name).default

    def int_default(self, name: str) -> int:
        return int(self.option(name).default)

    def display_name(self, language: str) -> str:
        """'Node.js'; a language this contract no longer lists (old results) keeps its key."""
        runner = self.find_runner(language)
        return runner.display_name if runner else language

    def approach_label(self, language: str, approach: str) -> str:
        runner = self.find_runner(language)
        spec = next((a for a in runner.approaches if a.name == approach), None) if runner else None
        return spec.label if spec is not None else approach

    def approach_kind(self, language: str, approach: str) -> str:
        runner = self.find_runner(language)
        spec = next((a for a in runner.approaches if a.name == approach), None) if runner else None
        return spec.kind if spec is not None else "unknown"

    def all_approaches(self) -> tuple[str, ...]:
        """Every approach name of every language, first-seen order, each once."""
        names: list[str] = []
        for runner in self.runners:
            names += [a for a in runner.approach_names if a not in names]
        return tuple(names)


def contract_path() -> Path:
    """The repository's contract; CONCBENCH_CONTRACT points elsewhere (tests add approaches this way)."""
    override = os.environ.get(CONTRACT_ENV)
    return Path(override) if override else repo_root() / "schema" / "runner_contract.json"


def contract() -> Contract:
    return load_contract(contract_path())


@cache
def load_contract(path: Path) -> Contract:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContractError(f"{path}: unreadable ({exc.strerror or exc})") from None
    except json.JSONDecodeError as exc:
        raise ContractError(f"{path}: not JSON ({exc})") from None
    return parse_contract(document, source=str(path))


def parse_contract(document: Any, *, source: str) -> Contract:
    errors = sorted(Draft202012Validator(_SCHEMA).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(root)"
        raise ContractError(f"{source}: {where}: {errors[0].message}")
    options = tuple(_option(name, raw) for name, raw in document["options"].items())
    option_names = {o.name for o in options}
    workloads = tuple(
        WorkloadSpec(
            name=name, title=raw["title"], options=tuple(raw["options"]), core_axis=raw.get("core_axis", False)
        )
        for name, raw in document["workloads"].items()
    )
    for workload in workloads:
        unknown = sorted(set(workload.options) - option_names)
        if unknown:
            raise ContractError(f"{source}: workloads/{workload.name}: unknown option(s) {', '.join(unknown)}")
    runners = tuple(
        _runner(language, raw, {w.name for w in workloads}, option_names, source)
        for language, raw in document["languages"].items()
    )
    kinds = document["error_kinds"]
    known = {*kinds["runner"], *kinds["orchestrator"]}
    for runner in runners:
        for words in runner.last_words:
            if words.kind not in known:
                raise ContractError(f"{source}: languages/{runner.language}/last_words: unknown kind {words.kind!r}")
    for runner in runners:
        runner.runtime(None)  # the default runtime must be one of its runtimes
    return Contract(
        contract_version=document["contract_version"],
        schema_version=document["schema_version"],
        exit_codes=tuple(document["exit_codes"].items()),
        workloads=workloads,
        options=options,
        runner_error_kinds=tuple(kinds["runner"]),
        orchestrator_error_kinds=tuple(kinds["orchestrator"]),
        runners=runners,
        source=source,
    )


def _option(name: str, raw: Mapping[str, Any]) -> OptionSpec:
    suite = raw.get("suite_values")
    return OptionSpec(
        name=name,
        flag=raw["flag"],
        type=raw["type"],
        default=raw["default"],
        minimum=raw.get("minimum"),
        exclusive_minimum=raw.get("exclusive_minimum"),
        maximum=raw.get("maximum"),
        help=raw["help"],
        suite_values=tuple(suite) if suite is not None else None,
    )


def _runner(language: str, raw: Mapping[str, Any], workloads: set[str], options: set[str], source: str) -> RunnerSpec:
    approaches: list[ApproachSpec] = []
    for name, spec in raw["approaches"].items():
        where = f"{source}: languages/{language}/approaches/{name}"
        unknown = sorted(set(spec["workloads"]) - workloads)
        if unknown:
            raise ContractError(f"{where}: unknown workload(s) {', '.join(unknown)}")
        sized_by = spec.get("sized_by")
        if sized_by is not None and sized_by not in options:
            raise ContractError(f"{where}: sized_by names no option ({sized_by!r})")
        runtimes = spec.get("runtimes")
        unknown_runtimes = sorted(set(runtimes or ()) - set(raw["image"]["runtimes"]))
        if unknown_runtimes:
            raise ContractError(f"{where}: unknown runtime(s) {', '.join(unknown_runtimes)}")
        approaches.append(
            ApproachSpec(
                name,
                spec["label"],
                tuple(spec["workloads"]),
                sized_by,
                spec["kind"],
                tuple(runtimes) if runtimes is not None else None,
            )
        )
    runtime_memory = raw["runtime_memory"]
    return RunnerSpec(
        language=language,
        display_name=raw["display_name"],
        source_dir=raw["source_dir"],
        approaches=tuple(approaches),
        runtime_memory_unit=runtime_memory["unit"],
        runtime_memory_shown=tuple(runtime_memory.get("shown", ())),
        runtime_memory_note=runtime_memory.get("note"),
        last_words=tuple(LastWords(w["stderr"], w["kind"], w["says"]) for w in raw.get("last_words", ())),
        default_runtime=raw["image"]["default_runtime"],
        runtimes=tuple(
            RuntimeImage(
                name,
                tuple(sorted(spec["official"].items())),
                tuple(sorted(spec["offline"].items())),
                dockerfile=spec.get("dockerfile", "Dockerfile"),
                prepare=tuple(tuple(command) for command in spec.get("prepare", ())),
                prepare_for=spec.get("prepare_for", "both"),
                fetches=tuple(spec.get("fetches", ())),
                description=spec.get("description"),
            )
            for name, spec in raw["image"]["runtimes"].items()
        ),
        prepare=tuple(tuple(command) for command in raw.get("prepare", ())),
        local=LocalSpec(
            command=tuple(raw["local"]["command"]),
            build=tuple(raw["local"]["build"]) if "build" in raw["local"] else None,
            build_env=tuple(sorted(raw["local"].get("build_env", {}).items())),
        ),
    )


_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_-]*$"}
_TEXT = {"type": "string", "minLength": 1}
# Commands as argv lists ({source}: the runner's folder; run there on the driving machine).
_COMMANDS = {"type": "array", "items": {"type": "array", "minItems": 1, "items": _TEXT}}
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "contract_version",
        "schema_version",
        "exit_codes",
        "workloads",
        "options",
        "error_kinds",
        "languages",
    ],
    "properties": {
        "contract_version": {"const": 1},
        "schema_version": {"type": "integer", "minimum": 1},
        "exit_codes": {
            "type": "object",
            "required": ["ok", "run_failed", "usage"],
            "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 255},
        },
        "workloads": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": _NAME,
            "additionalProperties": {
                "type": "object",
                "required": ["title", "options"],
                "additionalProperties": False,
                "properties": {
                    "title": _TEXT,
                    "options": {"type": "array", "items": _NAME},
                    "core_axis": {"type": "boolean"},
                    "$comment": {"type": "string"},
                },
            },
        },
        "options": {
            "type": "object",
            "required": ["tasks"],
            "propertyNames": _NAME,
            "additionalProperties": {
                "type": "object",
                "required": ["flag", "type", "default", "help"],
                "additionalProperties": False,
                "properties": {
                    "flag": {"type": "string", "pattern": "^--[a-z][a-z0-9-]*$"},
                    "type": {"enum": ["integer", "number"]},
                    "default": {"type": "number"},
                    "minimum": {"type": "number"},
                    "exclusive_minimum": {"type": "number"},
                    "maximum": {"type": "number"},
                    "suite_values": {"type": "array", "minItems": 1, "items": {"type": "number"}},
                    "help": _TEXT,
                    "$comment": {"type": "string"},
                },
            },
        },
        "error_kinds": {
            "type": "object",
            "required": ["runner", "orchestrator"],
            "additionalProperties": False,
            "properties": {
                "runner": {"type": "object", "minProperties": 1, "additionalProperties": _TEXT},
                "orchestrator": {"type": "object", "minProperties": 1, "additionalProperties": _TEXT},
            },
        },
        "languages": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": _NAME,
            "additionalProperties": {
                "type": "object",
                "required": ["display_name", "source_dir", "image", "runtime_memory", "local", "approaches"],
                "properties": {
                    "display_name": _TEXT,
                    "source_dir": _TEXT,
                    "prepare": _COMMANDS,
                    "runtime_memory": {
                        "type": "object",
                        "required": ["unit"],
                        "additionalProperties": False,
                        "properties": {
                            "unit": {"enum": ["bytes", "count"]},
                            "shown": {"type": "array", "items": _TEXT},
                            "note": _TEXT,
                        },
                    },
                    "image": {
                        "type": "object",
                        "required": ["default_runtime", "runtimes"],
                        "additionalProperties": False,
                        "properties": {
                            "default_runtime": _TEXT,
                            "runtimes": {
                                "type": "object",
                                "minProperties": 1,
                                "additionalProperties": {
                                    "type": "object",
                                    "required": ["official", "offline"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "official": {"type": "object", "additionalProperties": _TEXT},
                                        "offline": {"type": "object", "additionalProperties": _TEXT},
                                        "dockerfile": _TEXT,
                                        "prepare": _COMMANDS,
                                        "fetches": {"type": "array", "items": _TEXT},
                                        "prepare_for": {"enum": ["both", "official", "offline"]},
                                        "description": _TEXT,
                                        "$comment": {"type": "string"},
                                    },
                                },
                            },
                        },
                    },
                    "last_words": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["stderr", "kind", "says"],
                            "additionalProperties": False,
                            "properties": {"stderr": _TEXT, "kind": _NAME, "says": _TEXT},
                        },
                    },
                    "local": {
                        "type": "object",
                        "required": ["command"],
                        "additionalProperties": False,
                        "properties": {
                            "command": {"type": "array", "minItems": 1, "items": _TEXT},
                            "build": {"type": "array", "minItems": 1, "items": _TEXT},
                            "build_env": {"type": "object", "additionalProperties": {"type": "string"}},
                        },
                    },
                    "approaches": {
                        "type": "object",
                        "minProperties": 1,
                        "propertyNames": _NAME,
                        "additionalProperties": {
                            "type": "object",
                            "required": ["label", "workloads", "kind"],
                            "properties": {
                                "label": _TEXT,
                                "kind": {
                                    "enum": [
                                        "threads",
                                        "thread-pool",
                                        "process-pool",
                                        "event-loop",
                                        "goroutines",
                                        "worker-pool",
                                        "virtual-threads",
                                        "async-runtime",
                                    ]
                                },
                                "workloads": {"type": "array", "minItems": 1, "items": _NAME},
                                "sized_by": _NAME,
                                "runtimes": {"type": "array", "minItems": 1, "items": _TEXT},
                            },
                        },
                    },
                },
            },
        },
    },
}
