"""`all --hosts` on real engines: the suite's own engine pinned to CPU 0 and a second dockerd pinned
to CPU 1, reached over ssh (paramiko, through a real sshd) and over tcp with TLS. The image is built
once here and shipped; killing one engine mid-run loses nothing of the other's results.

Small sizes (Go, I/O, a few tasks): these tests are about the fleet's mechanics, not the figures."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from concbench_poly.cli import app
from tests.engines import SecondEngine, SshGateway, second_engine_or_skip

pytestmark = pytest.mark.docker

runner = CliRunner()
SMALL = ["go", "--workload", "io", "--tasks", "20", "--io-ms", "5", "--warmup", "0", "--repeat", "2", "--quiet"]


def hosts_file(tmp_path: Path, second_url: str, extra: str = "") -> Path:
    path = tmp_path / "hosts.toml"
    path.write_text(
        f"""
[[hosts]]
name = "here"
url = "unix:///var/run/docker.sock"
cpuset = "0"

[[hosts]]
name = "there"
url = "{second_url}"
cpuset = "1"
labels = {{ engine = "second" }}
{extra}
""",
        encoding="utf-8",
    )
    return path


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_fleet_over_ssh_runs_the_same_bits_on_both_engines(tmp_path: Path, ssh_env: SshGateway) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", *SMALL, "--hosts", str(hosts_file(tmp_path, ssh_env.url)), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    record = read(out / "fleet.json")
    assert record["complete"] is True and [h["transport"] for h in record["hosts"]] == ["unix", "ssh"]
    images = {}
    for name, cpuset in (("here", "0"), ("there", "1")):
        info = read(out / name / "run.json")
        assert info["complete"] is True
        docs = [read(p) for p in sorted((out / name / "raw").glob("*.json"))]
        assert len(docs) == 2 and all(d["status"] == "ok" for d in docs)
        assert {d["execution"]["limits"]["cpuset"] for d in docs} == {cpuset}
        assert {d["execution"]["axes"]["host"] for d in docs} == {name}
        images[name] = {d["execution"]["image_id"] for d in docs}
        # The engine's machine, as its `docker info` and one of its containers saw it.
        assert info["host"]["kernel"] and info["host"]["cgroup_version"] and info["host"]["cpu_count"]
    assert images["here"] == images["there"], "the image was shipped, not rebuilt"
    fleet_md = (out / "fleet.md").read_text(encoding="utf-8")
    assert "| here (reference)" in fleet_md and "there" in fleet_md and "engine=second" in fleet_md
    assert "Go goroutines (20) [io]" in fleet_md
    # Nothing of the ssh credentials is in the results.
    for path in out.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert "PRIVATE KEY" not in text and str(ssh_env.identity) not in text


def test_a_fleet_over_tls(tmp_path: Path, engine: SecondEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert engine.tls_url is not None and engine.tls_folder is not None
    # Docker's own convention for a URL-only tcp host: ca.pem, cert.pem, key.pem in DOCKER_CERT_PATH.
    monkeypatch.setenv("DOCKER_CERT_PATH", str(engine.tls_folder))
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", *SMALL, "--host", engine.tls_url, "--cpuset", "1", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    (host,) = read(out / "fleet.json")["hosts"]
    assert host["name"] == "127.0.0.1" and host["tls"] is True
    docs = [read(p) for p in (out / "127.0.0.1" / "raw").glob("*.json")]
    assert len(docs) == 2 and all(d["status"] == "ok" for d in docs)


def test_plain_tcp_is_refused_without_insecure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_CERT_PATH", str(tmp_path))  # no certificates there
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", *SMALL, "--host", "tcp://127.0.0.1:2375", "--out", str(out)])
    assert result.exit_code == 2 and "--insecure allows it" in result.stderr
    assert not out.exists()


def test_killing_one_engine_mid_run_loses_nothing_of_the_other(tmp_path: Path, docker_client: object) -> None:
    out = tmp_path / "out"
    # Runs of about a second each, so the kill lands while the second engine is busy.
    slow = [*SMALL[:5], "--io-ms", "1000", "--warmup", "0", "--repeat", "4", "--quiet"]
    with second_engine_or_skip() as doomed:
        killed = threading.Event()

        def kill_after_its_first_result() -> None:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and not any((out / "there" / "raw").glob("*.json")):
                time.sleep(0.1)
            doomed.kill()
            killed.set()

        killer = threading.Thread(target=kill_after_its_first_result, daemon=True)
        killer.start()
        result = runner.invoke(app, ["run", *slow, "--hosts", str(hosts_file(tmp_path, doomed.url)), "--out", str(out)])
        killer.join(timeout=60)
    assert killed.is_set(), result.stderr + result.stdout
    assert result.exit_code == 1, result.stderr
    here = read(out / "here" / "run.json")
    assert here["complete"] is True and here["runs"] == 4
    assert all(read(p)["status"] == "ok" for p in (out / "here" / "raw").glob("*.json"))
    there = read(out / "there" / "run.json")
    assert there["complete"] is False and "engine lost" in there["stopped"]
    assert "host there did not finish" in result.stderr
    assert "INCOMPLETE FLEET RUN" in (out / "fleet.md").read_text(encoding="utf-8")
