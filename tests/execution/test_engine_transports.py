"""docker-py reaches a second engine (tests/engines.py) the three ways a fleet reaches its hosts:
its unix socket, ssh:// through paramiko, and tcp with TLS verified both ways. Wrong credentials
fail on each side of each secure transport, and an image ships from the suite's engine over ssh.

One second engine and one ssh gateway serve the whole module. A machine without their tools
(openssh-server, socat, iproute2) skips with the reason; CONCBENCH_REQUIRE_DOCKER=1 makes that a
failure, as for every docker-marked test."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import docker.tls
import paramiko
import pytest
from docker.transport.sshconn import SSHHTTPAdapter

from concbench_poly.execution.docker_engine import VerifiedTlsConfig
from concbench_poly.execution.images import ImageRef, ship_image
from tests.engines import (
    SecondEngine,
    SshGateway,
    keygen,
    make_tls_certs,
)

pytestmark = pytest.mark.docker

TIMEOUT_S = 30
# A tag of our own for the shipped image, outside concbench-poly/ so that nothing of the suite's
# (`clean --images`, image listings) ever sees it.
SHIP_REPOSITORY = "concbench-poly-test/transport-ship"


def ssh_client(gateway: SshGateway) -> docker.DockerClient:
    # use_ssh_client=False (docker-py's default, named so the test says which): paramiko, not `ssh`.
    return docker.DockerClient(base_url=gateway.url, use_ssh_client=False, timeout=TIMEOUT_S)


def tls_client(engine: SecondEngine, tls: docker.tls.TLSConfig) -> docker.DockerClient:
    return docker.DockerClient(base_url=engine.tls_url, tls=tls, timeout=TIMEOUT_S)


def forced_sessions(gateway: SshGateway) -> int:
    return (gateway.root / "sshd.log").read_text(errors="replace").count("Starting session: forced-command")


def dockerd_log(engine: SecondEngine) -> str:
    return (engine.root / "dockerd.log").read_text(errors="replace")


def home_with(tmp_path: Path, gateway: SshGateway, *, known_hosts: str, config: bool = True) -> Path:
    """Another HOME for the ssh client: the gateway's .ssh/config (or none) and the known_hosts given."""
    home = tmp_path / "home"
    dot_ssh = home / ".ssh"
    dot_ssh.mkdir(parents=True, mode=0o700)
    if config:
        text = gateway.ssh_config.read_text().replace(str(gateway.known_hosts), str(dot_ssh / "known_hosts"))
        (dot_ssh / "config").write_text(text)
    (dot_ssh / "known_hosts").write_text(known_hosts)
    return home


# ---------------------------------------------------------------------------------------------------
# Each transport reaches the second engine


@pytest.mark.parametrize("transport", ["unix", "ssh", "tls"])
def test_docker_py_reaches_the_second_engine(transport: str, engine: SecondEngine, ssh_env: SshGateway) -> None:
    with contextlib.closing(engine.client()) as local:
        expected = local.info()
    sessions_before = forced_sessions(ssh_env)
    if transport == "unix":
        client = docker.DockerClient(base_url=engine.url, timeout=TIMEOUT_S)
    elif transport == "ssh":
        client = ssh_client(ssh_env)
    else:
        assert engine.certs is not None
        client = tls_client(engine, engine.certs.client_config())
    with contextlib.closing(client):
        assert client.ping() is True
        version = client.version()
        assert version["ApiVersion"] == client.api.api_version
        assert version["Version"]
        info = client.info()
    # The second engine, not the suite's (/var/lib/docker): its own data-root and daemon ID.
    assert info["DockerRootDir"] == str(engine.data_root) != "/var/lib/docker"
    assert info["ID"] == expected["ID"]
    if transport == "ssh":
        adapter = client.api.get_adapter("http+docker://ssh/_ping")
        assert isinstance(adapter, SSHHTTPAdapter)
        assert isinstance(adapter.ssh_client, paramiko.SSHClient)  # paramiko's transport, no `ssh` process
        # Through the gateway's sshd, whose key runs dial-stdio against the second engine.
        assert forced_sessions(ssh_env) > sessions_before
    if transport == "tls":
        assert client.api.base_url == f"https://127.0.0.1:{engine.tls_port}"


# ---------------------------------------------------------------------------------------------------
# TLS: verified both ways, by docker-py and by dockerd itself (the relay only carries bytes)


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second throwaway CA's folder: same names, same hosts, another authority."""
    return make_tls_certs(tmp_path_factory.mktemp("other-ca")).folder


def test_tls_refuses_an_engine_signed_by_another_ca(engine: SecondEngine, other_ca: Path) -> None:
    assert engine.certs is not None
    with pytest.raises(docker.errors.DockerException, match="CERTIFICATE_VERIFY_FAILED"):
        tls_client(engine, engine.certs.client_config(ca=other_ca / "ca.pem"))


def test_the_engine_refuses_a_client_signed_by_another_ca(engine: SecondEngine, other_ca: Path) -> None:
    assert engine.certs is not None
    # The other CA's client certificate, while still trusting the engine's own CA.
    config = VerifiedTlsConfig(
        client_cert=(str(other_ca / "cert.pem"), str(other_ca / "key.pem")), ca_cert=str(engine.certs.ca), verify=True
    )
    before = dockerd_log(engine)
    with pytest.raises(docker.errors.DockerException):
        tls_client(engine, config)
    # dockerd itself turned the certificate down: the handshake reached it through the relay.
    assert "certificate signed by unknown authority" in dockerd_log(engine)[len(before) :]


def test_the_engine_refuses_a_client_without_a_certificate(engine: SecondEngine) -> None:
    assert engine.certs is not None
    before = dockerd_log(engine)
    with pytest.raises(docker.errors.DockerException):
        tls_client(engine, engine.certs.client_config(client_cert=False))
    assert "didn't provide a certificate" in dockerd_log(engine)[len(before) :]


def test_tls_keeps_its_ca_whatever_requests_ca_bundle_says(
    engine: SecondEngine, other_ca: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests would verify against these instead of the TLSConfig's CA (docker-py issue #2433);
    # engines.VerifiedTlsConfig stops it. Here they name the wrong CA, so a lapse cannot pass.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other_ca / "ca.pem"))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(other_ca / "ca.pem"))
    assert engine.certs is not None
    with contextlib.closing(tls_client(engine, engine.certs.client_config())) as client:
        assert client.info()["DockerRootDir"] == str(engine.data_root)


def test_the_tls_folder_follows_dockers_naming(engine: SecondEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """DOCKER_CERT_PATH with ca.pem, cert.pem and key.pem is enough for docker-py's from_env and for
    the docker CLI."""
    # from_env builds a plain TLSConfig, which an environment's CA bundle would override (#2433).
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    environment = {"DOCKER_HOST": engine.tls_url, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(engine.tls_folder)}
    with contextlib.closing(docker.from_env(environment=environment, timeout=TIMEOUT_S)) as client:
        assert client.info()["DockerRootDir"] == str(engine.data_root)
    cli = shutil.which("docker")
    if cli is None:
        pytest.skip("the docker CLI is not installed (apt-get install docker.io)")
    finished = subprocess.run(
        [cli, "info", "--format", "{{.DockerRootDir}}"],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == str(engine.data_root)


# ---------------------------------------------------------------------------------------------------
# ssh: the host key is checked, the user key is required, and the key does nothing but dial-stdio


def test_ssh_refuses_an_unknown_host_key(
    gateway: SshGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ssh_env: SshGateway
) -> None:
    monkeypatch.setenv("HOME", str(home_with(tmp_path, gateway, known_hosts="")))
    with pytest.raises(paramiko.SSHException, match=r"not found in known_hosts"):
        ssh_client(gateway)


def test_ssh_refuses_a_changed_host_key(
    gateway: SshGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ssh_env: SshGateway
) -> None:
    impostor = keygen(tmp_path / "impostor_host_key", "not the gateway's host key")
    home = home_with(tmp_path, gateway, known_hosts=f"[127.0.0.1]:{gateway.port} {impostor}\n")
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(paramiko.BadHostKeyException):
        ssh_client(gateway)


def test_ssh_refuses_a_key_it_was_not_given(
    gateway: SshGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = home_with(tmp_path, gateway, known_hosts=gateway.host_key_line + "\n")
    stranger = home / ".ssh" / "stranger_ed25519"
    keygen(stranger, "a key the gateway does not know")
    config = home / ".ssh" / "config"
    config.write_text(config.read_text().replace(str(gateway.identity), str(stranger)))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SSH_AUTH_SOCK", "")  # no agent: only the stranger's key is on offer
    with pytest.raises(paramiko.AuthenticationException):
        ssh_client(gateway)


def test_ssh_works_with_the_agent_alone(gateway: SshGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No .ssh/config and no key file: the port and user come from the URL, the key from the agent.
    monkeypatch.setenv(
        "HOME", str(home_with(tmp_path, gateway, known_hosts=gateway.host_key_line + "\n", config=False))
    )
    monkeypatch.setenv("SSH_AUTH_SOCK", gateway.env["SSH_AUTH_SOCK"])
    assert gateway.env["SSH_AUTH_SOCK"]
    with contextlib.closing(ssh_client(gateway)) as client:
        assert client.ping() is True


def test_ssh_works_with_the_identity_file_alone(ssh_env: SshGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_AUTH_SOCK", "")  # the agent out of reach: .ssh/config's IdentityFile only
    with contextlib.closing(ssh_client(ssh_env)) as client:
        assert client.ping() is True


def test_the_gateway_key_runs_dial_stdio_and_nothing_else(gateway: SshGateway) -> None:
    ssh = paramiko.SSHClient()
    ssh.load_host_keys(str(gateway.known_hosts))
    ssh.set_missing_host_key_policy(paramiko.RejectPolicy())
    ssh.connect(
        "127.0.0.1",
        port=gateway.port,
        username=gateway.url.removeprefix("ssh://").split("@")[0],
        key_filename=str(gateway.identity),
        allow_agent=False,
        look_for_keys=False,
        timeout=TIMEOUT_S,
    )
    with contextlib.closing(ssh):
        # Whatever command is asked for, the forced one runs: the request below reaches the engine.
        stdin, stdout, _ = ssh.exec_command("echo not-docker", timeout=TIMEOUT_S)
        stdin.write(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        stdin.flush()
        stdin.channel.shutdown_write()
        answer = stdout.read()
        assert answer.startswith(b"HTTP/1.0 200 OK"), answer
        assert answer.endswith(b"\r\n\r\nOK")
        assert b"not-docker" not in answer
        # `restrict`: no port forwarding through the gateway.
        transport = ssh.get_transport()
        assert transport is not None
        with pytest.raises(paramiko.ChannelException):
            transport.open_channel("direct-tcpip", ("127.0.0.1", gateway.port), ("127.0.0.1", 0), timeout=TIMEOUT_S)


# ---------------------------------------------------------------------------------------------------
# A fleet's image shipping, over ssh


@pytest.fixture
def tiny_image(docker_client: docker.DockerClient) -> Iterator[str]:
    """An empty image (`docker import` of an empty tar) on the suite's engine, removed afterwards."""
    tag = f"{SHIP_REPOSITORY}:{os.getpid()}"
    try:
        docker_client.images.get(tag)
    except docker.errors.ImageNotFound:
        pass
    else:
        pytest.fail(f"{tag} is already on the suite's engine, and removing it afterwards would lose it")
    empty = io.BytesIO()
    tarfile.open(fileobj=empty, mode="w").close()
    repository, version = tag.split(":")
    docker_client.api.import_image_from_data(empty.getvalue(), repository=repository, tag=version)
    try:
        yield tag
    finally:
        docker_client.images.remove(tag, force=True)


def test_ship_image_over_ssh(
    docker_client: docker.DockerClient, tiny_image: str, engine: SecondEngine, ssh_env: SshGateway
) -> None:
    source = docker_client.images.get(tiny_image)
    # One image ID under two tags, and the tag that is not the image's first one shipped: identical
    # runner sources under two runtimes' hashes are that, and the host must get the tag asked for.
    repository, version = tiny_image.split(":")
    other_tag = f"{repository}:other-{version}"
    source.tag(repository, f"other-{version}")
    first = docker_client.images.get(tiny_image).tags[0]
    wanted = other_tag if first == tiny_image else tiny_image
    try:
        sessions_before = forced_sessions(ssh_env)
        with contextlib.closing(ssh_client(ssh_env)) as remote:
            ref = ImageRef("go", wanted, str(source.id))
            held, shipped = ship_image(docker_client, remote, ref, "host there")
            assert shipped and held.image_id == source.id
            assert remote.images.get(wanted).id == source.id
            # Present now: a second ship sends nothing.
            assert ship_image(docker_client, remote, ref, "host there")[1] is False
        assert forced_sessions(ssh_env) > sessions_before
    finally:
        docker_client.images.remove(other_tag)
    # It landed on the second engine, as its own socket sees it.
    with contextlib.closing(engine.client()) as local:
        try:
            shipped_image = local.images.get(wanted)
            assert shipped_image.id == source.id
            assert wanted in shipped_image.tags
        finally:
            for tag in (tiny_image, other_tag):
                with contextlib.suppress(docker.errors.ImageNotFound):
                    local.images.remove(tag, force=True)
