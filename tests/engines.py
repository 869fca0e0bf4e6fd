"""A second Docker engine beside the one the suite uses: for faults that stop or kill an engine, and
for fleet tests. Never the suite's own engine: killing that would fail every other test.

It runs with its own data-root, exec-root, socket and pidfile, in a network namespace of its own
with `--bridge none --iptables=false`, so it leaves the first engine's networking alone. It has no
images: the product's ship_image() copies one from another engine (save and load through the SDK),
as a fleet ships its images.

A fleet reaches its engines three ways, and so can the tests reach this one:
- its unix socket (`engine.url`);
- tcp with TLS verified both ways (`start_second_engine(tls=True)`: `engine.tls_url`, the client
  certificates in `engine.tls_folder` under Docker's names), through a byte relay on the host's
  127.0.0.1, so the TLS handshake is between the client and dockerd itself;
- ssh (`ssh_gateway(engine.socket)`): a real sshd on 127.0.0.1 whose only key runs
  `docker system dial-stdio` against this engine, as docker-py's ssh transport expects of a remote
  host; the caller sets the gateway's `env` (HOME, SSH_AUTH_SOCK) before connecting.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import docker
import docker.tls
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from concbench_poly.execution.docker_engine import VerifiedTlsConfig

START_TIMEOUT_S = 60.0
# dockerd's tcp port inside its own network namespace: nothing else listens there, so it is fixed.
ENGINE_TLS_PORT = 2376
# Tries at a port that was free a moment ago: another process may take it before ours binds it.
PORT_ATTEMPTS = 5


class MissingPrerequisite(RuntimeError):
    """This machine lacks something the engine or the gateway needs (a tool, root, an unlocked
    account): tests skip on it with the reason (fail under CONCBENCH_REQUIRE_DOCKER=1), whereas a
    start that fails on a machine that has everything is an error."""


# ---------------------------------------------------------------------------------------------------
# TLS material


@dataclass(frozen=True)
class TlsCerts:
    """A throwaway CA's certificates in one folder. The client's files carry the names `docker
    --tlsverify` and DOCKER_CERT_PATH look for (ca.pem, cert.pem, key.pem); the server's sit beside
    them under the names Docker's documentation gives the daemon's (server-cert.pem, server-key.pem)."""

    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def cert(self) -> Path:
        return self.folder / "cert.pem"

    @property
    def key(self) -> Path:
        return self.folder / "key.pem"

    @property
    def server_cert(self) -> Path:
        return self.folder / "server-cert.pem"

    @property
    def server_key(self) -> Path:
        return self.folder / "server-key.pem"

    @property
    def complete(self) -> bool:
        return all(p.is_file() for p in (self.ca, self.cert, self.key, self.server_cert, self.server_key))

    def client_config(self, ca: Path | None = None, client_cert: bool = True) -> docker.tls.TLSConfig:
        """docker-py's TLS settings with this folder's client certificate, verifying the server
        against `ca` (this folder's CA unless told otherwise)."""
        return VerifiedTlsConfig(
            client_cert=(str(self.cert), str(self.key)) if client_cert else None,
            ca_cert=str(ca or self.ca),
            verify=True,
        )


def make_tls_certs(folder: Path, *, days: int = 7) -> TlsCerts:
    """A fresh CA (its key is never written: nothing can be signed by it later), a server
    certificate for 127.0.0.1 and localhost, and a client certificate, as PEM files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    # An hour back: a clock a little behind the machine that signed must still accept the certificates.
    now = datetime.now(UTC)
    start, end = now - timedelta(hours=1), now + timedelta(days=days)
    # P-256 keys: made in microseconds (RSA takes long), and both dockerd (Go) and OpenSSL take them.
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"concbench-poly test CA {os.getpid()}")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(
        common_name: str, usage: x509.ObjectIdentifier, names: list[x509.GeneralName]
    ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            # Go checks the extended key usage: a client certificate without clientAuth is refused.
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        )
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return key, builder.sign(ca_key, hashes.SHA256())

    # The host is matched against the SAN only (the CN is ignored by Go and by Python's ssl).
    server_names: list[x509.GeneralName] = [
        x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")),
        x509.DNSName("localhost"),
    ]
    server_key, server_cert = leaf("127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH, server_names)
    client_key, client_cert = leaf("concbench-poly test client", ExtendedKeyUsageOID.CLIENT_AUTH, [])

    certs = TlsCerts(folder)
    _write_pem(certs.ca, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write_pem(certs.server_cert, server_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write_pem(certs.cert, client_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write_pem(certs.server_key, _private_pem(server_key), 0o600)
    _write_pem(certs.key, _private_pem(client_key), 0o600)
    return certs


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_pem(path: Path, data: bytes, mode: int) -> None:
    # Created with its final mode: a private key is never readable by others, not even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


# ---------------------------------------------------------------------------------------------------
# Processes


def free_port() -> int:
    """A port the kernel just handed out on 127.0.0.1. Another process may take it before the caller
    binds it: callers retry with another one (PORT_ATTEMPTS)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            # The command name may hold spaces and parentheses: the fields start after the last ')'.
            if int(stat[stat.rfind(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        for child in _children(queue.pop()):
            found.append(child)
            queue.append(child)
    return found


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rfind(")") + 2 :].startswith(("Z", "X"))


def stop_process_tree(process: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    """SIGTERM a process we started and everything it forked (sshd's and socat's per-connection
    children survive their parent and call setsid, so neither its group nor its session finds them
    all), then SIGKILL what is left after `timeout_s`."""
    # Listed before anything is signalled: once the parent is gone, its children belong to init.
    pids = [process.pid, *_descendants(process.pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout_s)
    deadline = time.monotonic() + timeout_s
    for pid in pids[1:]:
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not _gone(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _tool(name: str, package: str) -> str:
    # sshd lives in /usr/sbin, which a non-login PATH may lack.
    found = shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")
    if found is None:
        raise MissingPrerequisite(f"{name} is not installed (apt-get install {package})")
    return found


def _answers(connect: Callable[[], docker.DockerClient]) -> bool:
    try:
        client = connect()
    except Exception:
        return False
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


# ---------------------------------------------------------------------------------------------------
# The second engine


@dataclass
class SecondEngine:
    root: Path
    process: subprocess.Popen[bytes]
    # Set when started with tls=True: its certificates, and the relay that carries 127.0.0.1:tls_port
    # on the host to dockerd's tcp port inside its network namespace.
    certs: TlsCerts | None = None
    relay: subprocess.Popen[bytes] | None = None
    tls_port: int | None = None

    @property
    def socket(self) -> Path:
        return self.root / "docker.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def data_root(self) -> Path:
        """Its `info()["DockerRootDir"]`: how a client tells this engine from the suite's."""
        return self.root / "data"

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.url, timeout=120)

    @property
    def tls_url(self) -> str:
        if self.tls_port is None:
            raise RuntimeError("this engine was started without tls=True")
        return f"tcp://127.0.0.1:{self.tls_port}"

    @property
    def tls_folder(self) -> Path:
        """ca.pem, cert.pem and key.pem for a client: the folder DOCKER_CERT_PATH names."""
        if self.certs is None:
            raise RuntimeError("this engine was started without tls=True")
        return self.certs.folder

    def tls_client(self, tls: docker.tls.TLSConfig | None = None, timeout: int = 120) -> docker.DockerClient:
        """A client over tcp with TLS, verified both ways with the engine's own certificates unless
        `tls` says otherwise."""
        if self.certs is None:
            raise RuntimeError("this engine was started without tls=True")
        return docker.DockerClient(base_url=self.tls_url, tls=tls or self.certs.client_config(), timeout=timeout)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the daemon, as a crash would: the containers it started are left to containerd.
        The TLS relay goes too: it is our plumbing, not the engine's, and a restarted engine lives in
        a new network namespace that needs a new one."""
        self.stop_relay()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop_relay(self) -> None:
        if self.relay is not None:
            stop_process_tree(self.relay)
            self.relay = None

    def log_tail(self, lines: int = 20) -> str:
        text = (self.root / "dockerd.log").read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def start_second_engine(root: Path | None = None, *, tls: bool = False) -> SecondEngine:
    """Start a dockerd of our own and wait for it to answer; raises RuntimeError with its log if not.

    With tls=True it also listens on tcp with --tlsverify (certificates made in ROOT/tls, or the ones
    already there when restarted on the same root), reachable at `engine.tls_url`."""
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        raise MissingPrerequisite("dockerd is not installed (apt-get install docker.io)")
    if tls:
        # Checked before anything is made or started, so a missing tool leaves nothing behind.
        for name, package in (("ip", "iproute2"), ("socat", "socat"), ("nsenter", "util-linux")):
            _tool(name, package)
    # Its own network namespace: a dockerd started with `--bridge none` deletes the host's docker0
    # link, which would break every container the first engine starts on its default bridge
    # (image builds' RUN steps among them). Containers here run with network "none" anyway.
    unshare = shutil.which("unshare")
    if unshare is None:
        raise MissingPrerequisite("unshare is not installed (apt-get install util-linux)")
    # A short path: a unix socket path must stay under 108 bytes.
    fresh = root is None
    root = root or Path(tempfile.mkdtemp(prefix="cb-engine-", dir="/tmp"))
    daemon = [
        dockerd,
        "--data-root",
        str(root / "data"),
        "--exec-root",
        str(root / "exec"),
        "-H",
        f"unix://{root / 'docker.sock'}",
        "--pidfile",
        str(root / "docker.pid"),
        "--bridge",
        "none",
        "--iptables=false",
    ]
    certs = None
    command = [unshare, "--net", "--", *daemon]
    if tls:
        certs = TlsCerts(root / "tls")
        if not certs.complete:
            certs = make_tls_certs(root / "tls")
        daemon += [
            "-H",
            f"tcp://127.0.0.1:{ENGINE_TLS_PORT}",
            "--tlsverify",
            "--tlscacert",
            str(certs.ca),
            "--tlscert",
            str(certs.server_cert),
            "--tlskey",
            str(certs.server_key),
        ]
        # A new network namespace's loopback is down, without 127.0.0.1 to bind: bring it up first.
        # `exec` keeps the pid, so /proc/PID/ns/net stays the daemon's namespace for the relay.
        command = [unshare, "--net", "--", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', *daemon]
    with open(root / "dockerd.log", "wb") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    engine = SecondEngine(root=root, process=process, certs=certs)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if not engine.alive:
                raise RuntimeError(f"the second dockerd exited:\n{engine.log_tail()}")
            if _answers(engine.client):
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"the second dockerd did not answer in {START_TIMEOUT_S:g} s:\n{engine.log_tail()}")
        if tls:
            _start_tls_relay(engine, deadline)
    except BaseException:
        if engine.alive:
            engine.kill()
        engine.stop_relay()
        # A root made here goes with it; a root handed in (a restart) keeps its images and its log.
        if fresh:
            stop_second_engine(engine)
        raise
    return engine


def _start_tls_relay(engine: SecondEngine, deadline: float) -> None:
    """Carry 127.0.0.1:PORT on the host to dockerd's tcp port in its namespace, bytes only: socat
    accepts on the host and, per connection, runs a second socat inside the namespace (nsenter)
    that connects to dockerd. TLS passes through untouched, so the handshake, both certificates'
    checks included, is between the client and dockerd."""
    socat, nsenter = _tool("socat", "socat"), _tool("nsenter", "util-linux")
    # socat reads ':' in an address as its parameter separator; the backslashes keep the inner
    # address whole for the inner socat.
    inner = f"{nsenter} --net=/proc/{engine.process.pid}/ns/net {socat} STDIO TCP\\:127.0.0.1\\:{ENGINE_TLS_PORT}"
    for _ in range(PORT_ATTEMPTS):
        port = free_port()
        with open(engine.root / "relay.log", "wb") as log:
            engine.relay = subprocess.Popen(
                [socat, f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork", f"EXEC:{inner}"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        engine.tls_port = port
        while time.monotonic() < deadline and engine.relay.poll() is None:
            if _answers(lambda: engine.tls_client(timeout=5)):
                return
            time.sleep(0.2)
        relay_log = (engine.root / "relay.log").read_text(errors="replace")
        engine.stop_relay()
        engine.tls_port = None
        if "Address already in use" not in relay_log or time.monotonic() >= deadline:
            raise RuntimeError(f"the TLS relay did not reach the second dockerd:\n{relay_log[-2000:]}")
    raise RuntimeError(f"the TLS relay found no free port in {PORT_ATTEMPTS} tries")


def stop_second_engine(engine: SecondEngine) -> None:
    """Stop it, remove whatever it still runs, and delete its files."""
    engine.stop_relay()
    if engine.alive:
        with contextlib.suppress(Exception):
            client = engine.client()
            for container in client.containers.list(all=True):
                container.remove(force=True)
        engine.process.send_signal(signal.SIGTERM)
        try:
            engine.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            engine.kill()
    _kill_orphan_shims(engine.root)
    # Unmount what the daemon left mounted (a killed one leaves its overlay mounts) before deleting.
    with contextlib.suppress(OSError):
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
        for line in sorted((m.split()[1] for m in mounts if str(engine.root) in m), key=len, reverse=True):
            subprocess.run(["umount", "-l", line], check=False, capture_output=True)
    shutil.rmtree(engine.root, ignore_errors=True)


def _kill_orphan_shims(root: Path) -> None:
    """A killed dockerd's containerd-shims outlive it (a new dockerd on the same root would adopt
    them); once the engine is stopped for good, nothing may: end every shim of this engine's root."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"containerd-shim-runc-v2") and any(str(root).encode() in a for a in argv):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)


@contextlib.contextmanager
def second_engine(*, tls: bool = False) -> Iterator[SecondEngine]:
    engine = start_second_engine(tls=tls)
    try:
        yield engine
    finally:
        stop_second_engine(engine)


# ---------------------------------------------------------------------------------------------------
# An ssh gateway to an engine


@dataclass(frozen=True)
class SshGateway:
    """A running sshd that leads to one engine. `env` is what the connecting process must have in
    its environment (docker-py's paramiko transport reads ~/.ssh/config and ~/.ssh/known_hosts
    through HOME, and asks the agent at SSH_AUTH_SOCK for keys)."""

    url: str
    env: dict[str, str]
    port: int
    home: Path
    identity: Path
    known_hosts: Path
    host_key_line: str
    root: Path

    @property
    def ssh_config(self) -> Path:
        return self.home / ".ssh" / "config"

    def log_tail(self, lines: int = 20) -> str:
        text = (self.root / "sshd.log").read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def keygen(path: Path, comment: str) -> str:
    """A fresh ed25519 key pair without a passphrase at `path` (and `path`.pub); returns the public
    key's "TYPE BASE64" part."""
    subprocess.run(
        [_tool("ssh-keygen", "openssh-client"), "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        capture_output=True,
    )
    kind, blob = path.with_name(path.name + ".pub").read_text().split()[:2]
    return f"{kind} {blob}"


def _refuse_a_locked_account(user: str) -> None:
    # Without PAM, OpenSSH refuses even key logins to an account whose password field starts with
    # '!' (passwd -l); PAM is off because Debian's PAM stack needs pam_loginuid, which fails where
    # /proc/self/loginuid cannot be written (containers).
    with contextlib.suppress(OSError):
        for line in Path("/etc/shadow").read_text().splitlines():
            name, _, rest = line.partition(":")
            password = rest.partition(":")[0]
            if name == user and password.startswith("!"):
                raise MissingPrerequisite(
                    f"the account {user} is locked ({password[:2]}... in /etc/shadow), and sshd without PAM "
                    f"refuses key logins to it: `usermod -p '*' {user}` allows them and still no password"
                )


@contextlib.contextmanager
def ssh_gateway(docker_socket: Path, *, agent: bool = True) -> Iterator[SshGateway]:
    """A real sshd on 127.0.0.1 and a free port, for this process's user, with a throwaway host key
    and a throwaway user key whose authorized_keys line forces `docker --host unix://SOCKET system
    dial-stdio`, whatever command the client asks for: docker-py over ssh runs `docker system
    dial-stdio` remotely and would otherwise reach the remote's default engine, not `docker_socket`.

    Yields an SshGateway; its `env` names a throwaway HOME holding .ssh/config (port, user,
    IdentityFile) and .ssh/known_hosts (the sshd's host key as "[127.0.0.1]:PORT ..."), and, with
    agent=True, SSH_AUTH_SOCK of an ssh-agent holding the key. Everything started is stopped on exit,
    also when starting fails halfway."""
    root = Path(tempfile.mkdtemp(prefix="cb-ssh-", dir="/tmp"))
    started: list[subprocess.Popen[bytes]] = []
    try:
        if os.geteuid() != 0:
            raise MissingPrerequisite("an sshd that starts sessions runs as root")
        sshd = _tool("sshd", "openssh-server")
        docker_cli = _tool("docker", "docker.io")
        user = pwd.getpwuid(os.geteuid()).pw_name
        _refuse_a_locked_account(user)
        # sshd's privilege-separation directory (made by its systemd unit or init script otherwise);
        # a system directory other sshds share, so it is left in place.
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)

        host_key = root / "ssh_host_ed25519_key"
        host_public = keygen(host_key, "concbench-poly test sshd")
        home = root / "home"
        dot_ssh = home / ".ssh"
        dot_ssh.mkdir(parents=True, mode=0o700)
        # Not named id_*: paramiko would find it there unasked, and the test would not show that
        # .ssh/config or the agent is what supplies it.
        identity = dot_ssh / "concbench_ed25519"
        user_public = keygen(identity, "concbench-poly test user")

        forced = shlex.join([docker_cli, "--host", f"unix://{docker_socket}", "system", "dial-stdio"])
        quoted = forced.replace("\\", "\\\\").replace('"', '\\"')
        # restrict: no pty, no forwarding of ports, agent or X11, no ~/.ssh/rc: the key does one thing.
        (root / "authorized_keys").write_text(f'command="{quoted}",restrict {user_public}\n')

        port, process = _start_sshd(sshd, root, host_key, user)
        started.append(process)

        known_hosts = dot_ssh / "known_hosts"
        host_key_line = f"[127.0.0.1]:{port} {host_public}"
        known_hosts.write_text(host_key_line + "\n")
        # paramiko (through docker-py) reads Port, User and IdentityFile from here. OpenSSH's ssh takes
        # ~ from the passwd entry, not HOME: it needs `-F` with this file, and then finds the rest.
        (dot_ssh / "config").write_text(
            "Host 127.0.0.1\n"
            f"    Port {port}\n"
            f"    User {user}\n"
            f"    IdentityFile {identity}\n"
            "    IdentitiesOnly yes\n"
            f"    UserKnownHostsFile {known_hosts}\n"
            "    StrictHostKeyChecking yes\n"
        )
        # SSH_AUTH_SOCK is always set: empty, it keeps the caller's own agent (and its keys) out.
        env = {"HOME": str(home), "SSH_AUTH_SOCK": ""}
        if agent:
            agent_socket = root / "agent.sock"
            with open(root / "agent.log", "wb") as agent_log:
                agent_process = subprocess.Popen(
                    [_tool("ssh-agent", "openssh-client"), "-D", "-a", str(agent_socket)],
                    stdout=subprocess.DEVNULL,
                    stderr=agent_log,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            started.append(agent_process)
            _wait(lambda: agent_socket.exists() or agent_process.poll() is not None, 10.0, "ssh-agent's socket")
            if agent_process.poll() is not None:
                raise RuntimeError(f"ssh-agent exited: {(root / 'agent.log').read_text(errors='replace')}")
            subprocess.run(
                [_tool("ssh-add", "openssh-client"), "-q", str(identity)],
                check=True,
                capture_output=True,
                env={**os.environ, "SSH_AUTH_SOCK": str(agent_socket)},
            )
            env["SSH_AUTH_SOCK"] = str(agent_socket)
        yield SshGateway(
            url=f"ssh://{user}@127.0.0.1:{port}",
            env=env,
            port=port,
            home=home,
            identity=identity,
            known_hosts=known_hosts,
            host_key_line=host_key_line,
            root=root,
        )
    finally:
        for process in reversed(started):
            stop_process_tree(process)
        shutil.rmtree(root, ignore_errors=True)


def _start_sshd(sshd: str, root: Path, host_key: Path, user: str) -> tuple[int, subprocess.Popen[bytes]]:
    """sshd in the foreground (-D) logging to ROOT/sshd.log (-e), with a config of its own: the
    system's /etc/ssh/sshd_config and host keys are neither read nor changed."""
    log_path = root / "sshd.log"
    for _ in range(PORT_ATTEMPTS):
        port = free_port()
        config = root / "sshd_config"
        config.write_text(
            f"Port {port}\n"
            "ListenAddress 127.0.0.1\n"
            f"HostKey {host_key}\n"
            f"PidFile {root / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {root / 'authorized_keys'}\n"
            f"AllowUsers {user}\n"
            # root only with a key that carries a forced command: ours is the only one in the file.
            "PermitRootLogin forced-commands-only\n"
            "PubkeyAuthentication yes\n"
            "PasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\n"
            # Debian's PAM stack for sshd requires pam_loginuid, which fails in containers.
            "UsePAM no\n"
            # StrictModes would refuse authorized_keys under /tmp (world-writable); the file is ours, 0600.
            "StrictModes no\n"
            "PrintMotd no\n"
            "LogLevel VERBOSE\n"
        )
        (root / "authorized_keys").chmod(0o600)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sshd, "-D", "-e", "-f", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            if _sshd_listening(process, log_path, port):
                return port, process
        except BaseException:
            stop_process_tree(process)
            raise
        text = log_path.read_text(errors="replace")
        if "Address already in use" not in text:
            raise RuntimeError(f"sshd exited ({process.returncode}):\n{text[-2000:]}")
    raise RuntimeError(f"sshd found no free port in {PORT_ATTEMPTS} tries")


def _sshd_listening(process: subprocess.Popen[bytes], log_path: Path, port: int, timeout_s: float = 10.0) -> bool:
    """True once sshd says it listens, False if it exited first. Its log line is written once the
    socket is bound: a connection attempt could instead reach whoever took the port first."""
    listening = f"Server listening on 127.0.0.1 port {port}."
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if listening in log_path.read_text(errors="replace"):
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.05)
    raise RuntimeError(f"sshd did not listen in {timeout_s:g} s:\n{log_path.read_text(errors='replace')[-2000:]}")


def _wait(done: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() >= deadline:
            raise RuntimeError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(0.05)


def unavailable(reason: str) -> NoReturn:
    """Skip a docker-marked test with the reason; a failure where CI requires the engines."""
    if os.environ.get("CONCBENCH_REQUIRE_DOCKER") == "1":
        pytest.fail(f"CONCBENCH_REQUIRE_DOCKER=1 but {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def second_engine_or_skip(*, tls: bool = False) -> Iterator[SecondEngine]:
    """A second engine for one test or module, or the test skips saying why it cannot have one."""
    if os.geteuid() != 0:
        unavailable("a second dockerd and an sshd need root")
    try:
        engine = start_second_engine(tls=tls)
    except MissingPrerequisite as exc:
        unavailable(f"no second engine: {exc}")
    try:
        yield engine
    finally:
        stop_second_engine(engine)
