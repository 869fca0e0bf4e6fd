"""The CLI through typer's CliRunner: exit codes, usage errors naming the input, stdout hygiene."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from concbench_poly.cli import app
from concbench_poly.contract import contract

runner = CliRunner()


def test_list_shows_every_case_of_the_article() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.stdout.strip().splitlines()]
    keys = {row[4] for row in rows}
    # The article's 11 cases (6 I/O-bound, 5 CPU-bound with sha256).
    article = {
        *(f"io-python-{a}-n1000" for a in ("threading", "asyncio")),
        *(f"io-python-threadpool-pool{p}-n1000" for p in (50, 100)),
        "io-go-goroutines-n1000",
        "io-node-async-n1000",
        *(f"cpu-python-{a}-n1000" for a in ("threading", "asyncio", "multiprocessing-w4")),
        "cpu-go-goroutines-n1000",
        "cpu-node-worker_threads-w4-n1000",
    }
    assert article <= keys
    # Every approach of the contract on every workload it offers, at the headline N.
    registry = contract()
    for language in registry.languages:
        runner_spec = registry.runner(language)
        for workload in registry.workload_names:
            for approach in runner_spec.approaches_for(workload):
                assert any(r[:3] == [workload, language, approach] and r[4].endswith("n1000") for r in rows)
    # The simple, blocking scenario: Python's threads, asyncio and ThreadPool(50) at a few tasks.
    few = sorted((int(r[4].rsplit("-n", 1)[1]), r[2]) for r in rows if not r[4].endswith("n1000"))
    assert few == sorted((n, a) for n in (10, 50, 100, 500) for a in ("asyncio", "threading", "threadpool"))
    assert len(keys) == len(rows), "case keys name result files, so they must be unique"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["run", "cobol"], "cobol"),
        (["all", "--memory", "lots"], "--memory"),
        (["all", "--cpuset", "x"], "--cpuset"),
        (["all", "--tasks", "0"], "--tasks"),
        (["all", "--workload", "disk"], "--workload"),
        (["run", "python", "--approach", "fibers"], "fibers"),
        (["sweep", "--tasks", "10,abc"], "--tasks"),
        (["report", "/nonexistent/results"], "/nonexistent/results"),
        (["all", "--io-ms", "inf"], "--io-ms"),
        (["all", "--io-ms", "1e300"], "--io-ms"),
        (["all", "--cpus", "inf"], "--cpus"),
        (["all", "--timeout", "inf"], "--timeout"),
        (["all", "--executor", "local", "--cpus", "99"], "--cpus"),
        (["all", "--executor", "local", "--cpuset", "0-63"], "--cpuset"),
        (["all", "--executor", "local", "--memory", "64t"], "--memory"),
        (["doctor", "--cpuset", "9"], "--cpuset"),
        (["compare", "/nonexistent/a", "/nonexistent/b"], "/nonexistent/a"),
    ],
)
def test_usage_errors_exit_2_and_name_the_input(args: list[str], named: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert named in result.stderr
    assert result.stdout == ""


def test_typer_level_usage_errors_also_exit_2() -> None:
    result = runner.invoke(app, ["all", "--repeat", "abc"])
    assert result.exit_code == 2
    assert "--repeat" in result.stderr


def test_docker_executor_without_an_engine_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    result = runner.invoke(app, ["all", "--executor", "docker", "--quiet"])
    assert result.exit_code == 1
    assert "no Docker engine answers" in result.stderr


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`all` as a newcomer without Docker gets it: real runners as local processes, small sizes."""
    out = tmp_path_factory.mktemp("local-all")
    args = ["all", "--executor", "local", "--tasks", "50", "--io-ms", "2", "--cpu-repeat", "100",
            "--repeat", "2", "--warmup", "0", "--format", "json", "--out", str(out), "--quiet"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    return out, result.stdout


def test_all_with_the_local_executor_saves_every_run_and_prints_clean_json(local_run: tuple[Path, str]) -> None:
    out, stdout = local_run
    summary = json.loads(stdout)  # machine-readable stdout: nothing else mixed in
    planned = json.loads((out / "run.json").read_text())["plan"]
    assert len(list((out / "raw").glob("*.json"))) == len(planned) * 2
    # Every language and workload the contract has, on the host's own runtimes.
    assert {(p["language"], p["workload"]) for p in planned} >= {
        ("python", "mixed"),
        ("go", "cpu-loop"),
        ("java", "io"),
    }
    for name in ("summary.json", "report.md", "report.csv", "run.json"):
        assert (out / name).is_file(), name
    assert json.loads((out / "summary.json").read_text()) == summary
    assert json.loads((out / "run.json").read_text())["executor"] == "local"


def test_report_regenerates_byte_identical_files(local_run: tuple[Path, str]) -> None:
    out, _ = local_run
    files = sorted(p for p in out.rglob("*") if p.is_file() and "raw" not in p.parts and p.name != "run.json")
    before = {p: p.read_bytes() for p in files}
    result = runner.invoke(app, ["report", str(out), "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert {p: p.read_bytes() for p in files} == before


def test_compare_a_run_with_itself_finds_no_difference(local_run: tuple[Path, str]) -> None:
    out, _ = local_run
    result = runner.invoke(app, ["compare", str(out), str(out), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    verdicts = {line.split(",")[-1] for line in result.stdout.strip().splitlines()[1:]}
    assert not verdicts & {"faster", "slower", "smaller", "larger"}


def test_an_out_directory_with_results_is_refused(local_run: tuple[Path, str]) -> None:
    out, _ = local_run
    result = runner.invoke(app, ["run", "go", "--executor", "local", "--out", str(out), "--quiet"])
    assert result.exit_code == 2
    assert str(out) in result.stderr and "already holds results" in result.stderr


def test_a_cpuset_the_host_lacks_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "go", "--executor", "local", "--cpuset", "63", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "--cpuset" in result.stderr and "63" in result.stderr


def test_ctrl_c_exits_130_and_says_where_the_finished_runs_are(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import concbench_poly.service

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(concbench_poly.service, "benchmark", interrupted)
    result = runner.invoke(app, ["all", "--executor", "local", "--out", str(tmp_path / "o")])
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and str(tmp_path / "o") in result.stderr


def test_report_reads_a_results_folder_written_by_an_earlier_version(tmp_path: Path) -> None:
    # tests/data/results_v1_main: raw documents of schema_version 1 and the run.json of the first release.
    import shutil

    from tests.conftest import REPO_ROOT

    folder = tmp_path / "old"
    shutil.copytree(REPO_ROOT / "tests" / "data" / "results_v1_main", folder)
    result = runner.invoke(app, ["report", str(folder), "--format", "json", "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {c["key"] for c in summary["cases"]} == {
        "io-python-asyncio-n200",
        "io-go-goroutines-n200",
        "cpu-python-asyncio-n200",
        "cpu-go-goroutines-n200",
    }
    assert all(c["ok_runs"] == 2 for c in summary["cases"])
    for name in ("summary.json", "report.md", "report.csv", "report.html"):
        assert (folder / name).is_file()


@pytest.mark.parametrize(
    "args",
    [
        ["run", "python", "--approach", "fibers"],
        ["all", "--cpuset", "x"],
        ["all", "--executor", "local", "--cpuset", "63"],
        ["all", "--io-ms", "inf"],
        ["all", "--executor", "local", "--cpus", "99"],
    ],
)
def test_a_rejected_command_writes_nothing(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "never"
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert not out.exists(), "a rejected command must not create its results folder"
    # One line that names the input, and nothing else (no empty line from a progress bar).
    assert result.stderr.startswith("error: --") and result.stderr.count("\n") == 1, repr(result.stderr)


def test_tasks_only_has_to_be_a_positive_whole_number() -> None:
    # Finding where a model breaks is the sweep's job: a huge N is accepted (and fails at run time).
    from concbench_poly.config import BenchmarkFlags

    flags = BenchmarkFlags(
        languages=(), workload="io", tasks=(10**12,), sweep=False, io_ms=10.0, cpus=1.0, cpuset="0", cores=(),
        loop_bytes=16384, cpu_ms=2.0,
        memory="512m", pids=4096, timeout=300.0, executor="local", warmup=0, repeat=1, approach=(),
        pool_size=(), workers=4, cpu_repeat=10, offline=None, keep=False, latency="service",
    )  # fmt: skip
    assert flags.to_options().params.tasks == 10**12
