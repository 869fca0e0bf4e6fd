"""Naming a fleet's hosts: URLs, Docker contexts and the --hosts file, refused in one line when wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from concbench_poly.config import DEFAULT_LIMITS, MIB
from concbench_poly.errors import UsageError
from concbench_poly.execution.hosts import host_from_json, host_from_url, parse_hosts, read_hosts_file


def test_a_url_names_its_host() -> None:
    assert host_from_url("unix:///var/run/docker.sock", "--host", insecure=False).name == "docker"
    ssh = host_from_url("ssh://bench@lab-b.example:2222", "--host", insecure=False)
    assert (ssh.name, ssh.transport, ssh.on_this_machine) == ("lab-b.example", "ssh", False)
    local = host_from_url("unix:///tmp/cb/second.sock", "--host", insecure=False)
    assert (local.name, local.transport, local.on_this_machine) == ("second", "unix", True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ssh://bench:hunter2@lab", "holds a password"),
        ("tcp://lab:2375", "--insecure allows it"),
        ("tcp://lab", "needs a host and a port"),
        ("http://lab:2375", "expected unix://, ssh://, tcp://"),
        ("unix://", "names no socket"),
        ("ssh://", "names no host"),
    ],
)
def test_bad_urls_are_refused_naming_the_host(
    url: str, message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_CERT_PATH", str(tmp_path))  # no certificates there
    with pytest.raises(UsageError, match=message) as raised:
        host_from_url(url, "--host", insecure=False)
    assert str(raised.value).startswith("--host: ")
    assert "hunter2" not in str(raised.value)


def test_plain_tcp_only_when_insecure() -> None:
    host = host_from_url("tcp://lab:2375", "--host", insecure=True)
    assert host.transport == "tcp" and host.tls is None


def certs(folder: Path, content: str = "-----BEGIN SECRET-----") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def test_tcp_takes_dockers_certificate_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_CERT_PATH", str(certs(tmp_path / "certs")))
    host = host_from_url("tcp://lab-c:2376", "--host", insecure=False)
    assert host.tls is not None and host.tls.ca == tmp_path / "certs" / "ca.pem"


HOSTS = """
[[hosts]]
name = "here"
url = "unix:///var/run/docker.sock"
cpuset = "0"

[[hosts]]
name = "lab-b"
url = "ssh://bench@127.0.0.1:2222"
cpuset = "1"
memory = "1g"
pids = 8192
labels = { rack = "r2", gen = 3 }

[[hosts]]
url = "tcp://lab-c:2376"
tls = { ca = "certs/ca.pem", cert = "certs/cert.pem", key = "certs/key.pem" }
"""


def test_a_hosts_file(tmp_path: Path) -> None:
    certs(tmp_path / "certs")
    path = tmp_path / "hosts.toml"
    path.write_text(HOSTS, encoding="utf-8")
    here, lab_b, lab_c = read_hosts_file(path, insecure=False)
    assert (here.name, here.cpuset) == ("here", "0")
    assert (lab_b.name, lab_b.memory_bytes, lab_b.pids, lab_b.labels) == (
        "lab-b",
        1024 * MIB,
        8192,
        (("gen", "3"), ("rack", "r2")),
    )
    limits = lab_b.limits(DEFAULT_LIMITS)
    assert (limits.cpuset, limits.memory_bytes, limits.pids, limits.cpus) == (
        "1",
        1024 * MIB,
        8192,
        DEFAULT_LIMITS.cpus,
    )
    # Relative certificate paths are the file's, and a URL-only host is named from its URL.
    assert lab_c.name == "lab-c" and lab_c.tls is not None and lab_c.tls.key == tmp_path / "certs" / "key.pem"


def test_results_never_hold_certificate_content(tmp_path: Path) -> None:
    certs(tmp_path / "certs", content="PRIVATE KEY MATERIAL")
    path = tmp_path / "hosts.toml"
    path.write_text(HOSTS, encoding="utf-8")
    for host in read_hosts_file(path, insecure=False):
        recorded = json.dumps(host.public())
        assert "PRIVATE KEY MATERIAL" not in recorded
        assert host_from_json(json.loads(recorded)) == host  # what --resume reads back


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[hosts]]\nurl = 'unix:///a.sock'\nport = 1\n", "unknown key"),
        ("[[hosts]]\nname = 'x'\n", "url is required"),
        ("[[hosts]]\nurl = 'unix:///a.sock'\nmemory = 'lots'\n", "memory: expected a size"),
        ("[[hosts]]\nurl = 'unix:///a.sock'\ncpuset = 'x'\n", "cpuset: expected a list"),
        ("[[hosts]]\nurl = 'unix:///a.sock'\npids = '4'\n", "pids has the wrong type"),
        ("[[hosts]]\nurl = 'unix:///a.sock'\nname = 'a b'\n", "cannot name a host"),
        ("[[hosts]]\nurl = 'ssh://h'\ntls = { ca = 'a', cert = 'b', key = 'c' }\n", "tls applies to tcp"),
        ("hosts = 3\n", "names no host"),
        ("[host]\nurl = 'x'\n", "unknown key"),
        ("[[hosts]\n", "is not TOML"),
    ],
)
def test_bad_hosts_files_name_the_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "hosts.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message) as raised:
        read_hosts_file(path, insecure=False)
    assert str(raised.value).startswith(f"--hosts: {path}")


def test_two_hosts_of_one_name_are_refused() -> None:
    with pytest.raises(UsageError, match="two hosts are named 'docker'"):
        parse_hosts(("unix:///var/run/docker.sock", "unix:///tmp/other/docker.sock"), None, insecure=False)


def test_a_docker_context_is_a_host(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from docker.context import ContextAPI

    # docker-py keeps contexts beside the config file it finds (else in ./contexts): give it one.
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    ContextAPI.create_context(name="lab-d", host="unix:///run/lab-d.sock")
    host = host_from_url("lab-d", "--host", insecure=False)
    assert (host.name, host.url, host.context) == ("lab-d", "unix:///run/lab-d.sock", "lab-d")
    with pytest.raises(UsageError, match="neither a URL"):
        host_from_url("no-such-context", "--host", insecure=False)
