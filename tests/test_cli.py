"""The CLI through typer's CliRunner: exit codes, usage errors naming the input, stdout hygiene."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from concbench_poly.cli import app

runner = CliRunner()


def test_list_shows_every_case_of_the_article() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.stdout.strip().splitlines()]
    assert len(rows) == 11
    assert ["io", "python", "threadpool", "Python ThreadPool(100)", "io-python-threadpool-pool100-n1000"] in rows


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["run", "rust"], "rust"),
        (["all", "--memory", "lots"], "--memory"),
        (["all", "--cpuset", "x"], "--cpuset"),
        (["all", "--tasks", "0"], "--tasks"),
        (["all", "--workload", "disk"], "--workload"),
        (["run", "python", "--approach", "fibers"], "fibers"),
        (["sweep", "--tasks", "10,abc"], "--tasks"),
        (["report", "/nonexistent/results"], "/nonexistent/results"),
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
