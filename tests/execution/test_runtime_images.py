"""`--runtime LANG=VERSION` on a real engine: each runtime's image is built from its contract recipe
(offline where no registry answers: the trixie base, Debian's packages) and runs, and the documents
say which runtime ran. The free-threaded CPython compiles CPython (about 10 minutes on 2 cores), so it
is slow-marked; `concbench-poly build python --runtime python=3.13t` builds it by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from concbench_poly.cli import app

pytestmark = pytest.mark.docker

runner = CliRunner()
SMALL = ["--tasks", "20", "--io-ms", "5", "--warmup", "0", "--repeat", "1", "--quiet"]


def run_documents(tmp_path: Path, language: str, runtime: str, workload: str = "io") -> list[dict[str, Any]]:
    out = tmp_path / "out"
    args = ["run", language, "--runtime", f"{language}={runtime}", "--workload", workload, *SMALL, "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "raw").glob("*.json"))]
    assert documents and all(d["status"] == "ok" for d in documents)
    assert {d["execution"]["axes"]["runtime"] for d in documents} == {runtime}
    return documents


@pytest.mark.parametrize(
    ("language", "runtime", "version_prefix"),
    [("python", "3.13", "3.13."), ("node", "20", "v20."), ("go", "1.24", "go1.24")],
)
def test_a_runtime_image_is_built_and_runs_that_runtime(
    tmp_path: Path, docker_client: object, language: str, runtime: str, version_prefix: str
) -> None:
    for document in run_documents(tmp_path, language, runtime):
        assert document["runtime"]["version"].startswith(version_prefix), document["runtime"]
        assert document["execution"]["image"].startswith(f"concbench-poly/{language}:{runtime}-")
        if language == "python":
            assert document["runtime"]["gil_enabled"] is True


@pytest.mark.slow
def test_the_free_threaded_python_runs_without_the_gil(tmp_path: Path, docker_client: object) -> None:
    for document in run_documents(tmp_path, "python", "3.13t", workload="cpu-loop"):
        assert document["runtime"]["gil_enabled"] is False
        assert "--disable-gil" in document["runtime"]["build_flags"]
