"""The engines of a fleet: `--host URL` (repeatable) and `--hosts FILE` (TOML), parsed and checked.

Pure but for reading the hosts file and resolving a Docker context name: connecting is
docker_engine.connect_host's job. Every refusal is a UsageError naming the host or the file's entry.

A hosts file:

    [[hosts]]
    name = "lab-a"                          # optional: else named from the URL
    url = "ssh://bench@lab-a.example"       # unix://, ssh://, tcp:// (TLS) or a Docker context name
    cpuset = "1"                            # optional overrides of --cpuset, --cpus, --memory, --pids
    memory = "1g"
    labels = { rack = "r2" }                # free labels, kept in the results
    tls = { ca = "certs/ca.pem", cert = "certs/cert.pem", key = "certs/key.pem" }   # tcp only
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from concbench_poly.config import Limits, parse_cpuset, parse_memory
from concbench_poly.errors import UsageError

Transport = Literal["unix", "ssh", "tcp"]

# Docker's own convention for a tcp host's client certificates (DOCKER_CERT_PATH, else ~/.docker).
TLS_FILE_NAMES = ("ca.pem", "cert.pem", "key.pem")

# A host's name names its results folder: nothing a path could misread.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")

_FILE_KEYS = frozenset({"name", "url", "tls", "cpuset", "cpus", "memory", "pids", "labels"})


@dataclass(frozen=True)
class TlsFiles:
    """Paths only: certificate contents are never read here, and never written to results."""

    ca: Path
    cert: Path
    key: Path


@dataclass(frozen=True)
class HostSpec:
    name: str
    url: str  # unix://, ssh:// or tcp:// (a context name is resolved to its endpoint)
    transport: Transport
    tls: TlsFiles | None = None  # tcp with TLS; None for plain tcp (--insecure) and the others
    cpuset: str | None = None  # overrides --cpuset on this host
    cpus: float | None = None
    memory_bytes: int | None = None
    pids: int | None = None
    labels: tuple[tuple[str, str], ...] = ()
    context: str | None = None  # the Docker context it came from, if any

    @property
    def on_this_machine(self) -> bool:
        """Whether the engine's /proc is ours: only a local socket says so for sure."""
        return self.transport == "unix"

    def limits(self, base: Limits) -> Limits:
        """The invocation's limits with this host's overrides."""
        return replace(
            base,
            cpuset=self.cpuset if self.cpuset is not None else base.cpuset,
            cpus=self.cpus if self.cpus is not None else base.cpus,
            memory_bytes=self.memory_bytes if self.memory_bytes is not None else base.memory_bytes,
            pids=self.pids if self.pids is not None else base.pids,
        )

    def public(self) -> dict[str, Any]:
        """What results may record of the host: no credential, no certificate content."""
        return {
            "name": self.name,
            "url": self.url,
            "transport": self.transport,
            "tls": self.tls is not None,
            "tls_files": None if self.tls is None else {k: str(v) for k, v in vars(self.tls).items()},
            "context": self.context,
            "cpuset": self.cpuset,
            "cpus": self.cpus,
            "memory_bytes": self.memory_bytes,
            "pids": self.pids,
            "labels": dict(self.labels),
        }


def host_from_json(data: dict[str, Any]) -> HostSpec:
    """A host as HostSpec.public() recorded it (for --resume)."""
    files = data.get("tls_files")
    return HostSpec(
        name=data["name"],
        url=data["url"],
        transport=data["transport"],
        tls=TlsFiles(Path(files["ca"]), Path(files["cert"]), Path(files["key"])) if files else None,
        cpuset=data.get("cpuset"),
        cpus=data.get("cpus"),
        memory_bytes=data.get("memory_bytes"),
        pids=data.get("pids"),
        labels=tuple(sorted((data.get("labels") or {}).items())),
        context=data.get("context"),
    )


def parse_hosts(urls: tuple[str, ...], hosts_file: Path | None, *, insecure: bool) -> tuple[HostSpec, ...]:
    """--host URL... and --hosts FILE together, in that order; names must be unique."""
    hosts = [host_from_url(url, "--host", insecure=insecure) for url in urls]
    if hosts_file is not None:
        hosts += read_hosts_file(hosts_file, insecure=insecure)
    seen: dict[str, HostSpec] = {}
    for host in hosts:
        if host.name in seen:
            raise UsageError(
                f"--host: two hosts are named {host.name!r} ({seen[host.name].url} and {host.url}); "
                "give them names in a --hosts file"
            )
        seen[host.name] = host
    return tuple(hosts)


def host_from_url(
    url: str,
    where: str,
    *,
    insecure: bool,
    name: str | None = None,
    tls: TlsFiles | None = None,
) -> HostSpec:
    """One host from its URL or context name; where: '--host' or 'FILE: hosts[2]', for messages."""
    text = url.strip()
    if "://" not in text:
        return _from_context(text, where, insecure=insecure, name=name)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if parts.password:
        raise UsageError(
            f"{where}: {_redacted(text)} holds a password, which would be written to the results; "
            "use the ssh agent or a key"
        )
    if scheme == "unix":
        if not parts.path:
            raise UsageError(f"{where}: {text!r} names no socket (unix:///path/to/docker.sock)")
        return HostSpec(_named(name or Path(parts.path).stem, where), f"unix://{parts.path}", "unix")
    if scheme == "ssh":
        if not parts.hostname:
            raise UsageError(f"{where}: {text!r} names no host (ssh://user@host[:port])")
        return HostSpec(_named(name or parts.hostname, where), text, "ssh")
    if scheme == "tcp":
        if not parts.hostname or parts.port is None:
            raise UsageError(f"{where}: {text!r} needs a host and a port (tcp://host:2376)")
        files = tls or _conventional_tls()
        if files is None and not insecure:
            folder = _cert_dir()
            raise UsageError(
                f"{where}: {text} is tcp without TLS files ({', '.join(TLS_FILE_NAMES)} in {folder}, or tls = "
                "{{ca, cert, key}} in a --hosts file); plain tcp sends the engine's full control unencrypted: "
                "--insecure allows it"
            )
        if files is not None:
            for path in (files.ca, files.cert, files.key):
                if not path.is_file():
                    raise UsageError(f"{where}: TLS file {path} does not exist")
        return HostSpec(_named(name or parts.hostname, where), text, "tcp", tls=files)
    raise UsageError(f"{where}: {text!r}: expected unix://, ssh://, tcp:// or a Docker context name")


def read_hosts_file(path: Path, *, insecure: bool) -> list[HostSpec]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--hosts: cannot read {path} ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"--hosts: {path} is not TOML ({exc})") from None
    entries = data.get("hosts")
    unknown = sorted(set(data) - {"hosts"})
    if unknown:
        raise UsageError(f"--hosts: {path}: unknown key(s) {', '.join(unknown)} (expected [[hosts]] tables)")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise UsageError(f"--hosts: {path} names no host (expected one or more [[hosts]] tables)")
    return [_file_host(entry, f"--hosts: {path}: hosts[{i}]", path.parent, insecure) for i, entry in enumerate(entries)]


def _file_host(entry: dict[str, Any], where: str, base_dir: Path, insecure: bool) -> HostSpec:
    unknown = sorted(set(entry) - _FILE_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_FILE_KEYS))})")
    url = _typed(entry, "url", str, where)
    if url is None:
        raise UsageError(f"{where}: url is required")
    name = _typed(entry, "name", str, where)
    tls = _tls(entry.get("tls"), where, base_dir)
    host = host_from_url(url, where, insecure=insecure, name=name, tls=tls)
    if tls is not None and host.transport != "tcp":
        raise UsageError(f"{where}: tls applies to tcp:// hosts only, not {host.transport}")
    cpuset = _typed(entry, "cpuset", str, where)
    if cpuset is not None:
        try:
            parse_cpuset(cpuset)
        except UsageError as exc:
            raise UsageError(f"{where}: cpuset: {str(exc).split(': ', 1)[1]}") from None
    cpus = _typed(entry, "cpus", (int, float), where)
    if cpus is not None and (not math.isfinite(cpus) or cpus <= 0):
        raise UsageError(f"{where}: cpus must be a number above 0, got {cpus!r}")
    memory = _typed(entry, "memory", str, where)
    memory_bytes = None
    if memory is not None:
        try:
            memory_bytes = parse_memory(memory)
        except UsageError as exc:
            raise UsageError(f"{where}: memory: {str(exc).split(': ', 1)[1]}") from None
    pids = _typed(entry, "pids", int, where)
    if pids is not None and pids < 1:
        raise UsageError(f"{where}: pids must be at least 1, got {pids}")
    labels = entry.get("labels", {})
    if not isinstance(labels, dict) or not all(isinstance(v, str | int | float | bool) for v in labels.values()):
        raise UsageError(f'{where}: labels must be a table of plain values, e.g. labels = {{ rack = "r2" }}')
    return replace(
        host,
        cpuset=cpuset,
        cpus=float(cpus) if cpus is not None else None,
        memory_bytes=memory_bytes,
        pids=pids,
        labels=tuple(sorted((str(k), str(v)) for k, v in labels.items())),
    )


def _typed(entry: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, kind):
        raise UsageError(f"{where}: {key} has the wrong type ({type(value).__name__})")
    return value


def _tls(raw: Any, where: str, base_dir: Path) -> TlsFiles | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, dict)
        or set(raw) != {"ca", "cert", "key"}
        or not all(isinstance(v, str) for v in raw.values())
    ):
        raise UsageError(f'{where}: tls must be {{ ca = "...", cert = "...", key = "..." }} (paths)')
    # Relative paths are the hosts file's, so a lab can keep its certificates beside it.
    paths = {key: base_dir / Path(value).expanduser() for key, value in raw.items()}
    return TlsFiles(ca=paths["ca"], cert=paths["cert"], key=paths["key"])


def _cert_dir() -> Path:
    return Path(os.environ.get("DOCKER_CERT_PATH") or Path.home() / ".docker")


def _conventional_tls() -> TlsFiles | None:
    """ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH (else ~/.docker), as the docker CLI finds them."""
    folder = _cert_dir()
    files = TlsFiles(*(folder / name for name in TLS_FILE_NAMES))
    return files if all(p.is_file() for p in (files.ca, files.cert, files.key)) else None


def _from_context(context: str, where: str, *, insecure: bool, name: str | None) -> HostSpec:
    """A Docker context (`docker context create`): its docker endpoint and, for tcp, its TLS files."""
    from docker.context import ContextAPI
    from docker.errors import ContextException

    try:
        found = ContextAPI.get_context(context)
    except ContextException as exc:
        raise UsageError(f"{where}: Docker context {context!r} is unreadable ({exc})") from None
    if found is None or not found.Host:
        raise UsageError(f"{where}: {context!r} is neither a URL (unix://, ssh://, tcp://) nor a Docker context")
    tls = found.TLSConfig
    files = None
    if tls is not None and tls.ca_cert and tls.cert:
        cert, key = tls.cert
        files = TlsFiles(Path(tls.ca_cert), Path(cert), Path(key))
    # docker-py hands the endpoint back in its own spelling (http+unix://, https://host:port).
    url = str(found.Host)
    for theirs, ours in (("http+unix://", "unix://"), ("https://", "tcp://"), ("http://", "tcp://")):
        if url.startswith(theirs):
            url = ours + url.removeprefix(theirs)
    if url.startswith("tcp://") and files is None and not insecure:
        raise UsageError(f"{where}: Docker context {context!r} is tcp without TLS files; --insecure allows it")
    host = host_from_url(url, where, insecure=True, name=name or context, tls=files)
    return replace(host, context=context)


def _named(name: str, where: str) -> str:
    if not _NAME.match(name):
        raise UsageError(
            f"{where}: {name!r} cannot name a host (letters, digits, '.', '_' and '-', up to 63); "
            "give it a name in a --hosts file"
        )
    return name


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()
