"""Which Debian mirror this machine uses: the offline base image is bootstrapped from it.

Read from the environment (CONCBENCH_DEBIAN_MIRROR), else from the machine's own apt sources, in
both formats apt reads: one-line `deb URI SUITE COMPONENTS` entries in sources.list and
sources.list.d/*.list, and deb822 paragraphs in sources.list.d/*.sources. A lab behind its own mirror
then needs no setting at all; a machine that knows none gets an error that says how to give one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from concbench_poly.errors import ImageBuildError

MIRROR_ENV = "CONCBENCH_DEBIAN_MIRROR"
APT_DIR = Path("/etc/apt")
# Suites of the Debian archive itself: third-party repositories (nodesource's "nodistro", a cloud
# SDK's) and the security archive are not mirrors debootstrap can build a system from.
DEBIAN_SUITES = frozenset(
    {"buster", "bullseye", "bookworm", "trixie", "forky", "sid", "oldstable", "stable", "testing", "unstable"}
)


@dataclass(frozen=True)
class AptSource:
    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]
    origin: str  # file it came from, for messages


def one_line_sources(text: str, origin: str) -> Iterator[AptSource]:
    """`deb [options] URI SUITE COMPONENT...` lines; deb-src, comments and blanks are skipped."""
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        line = re.sub(r"\[[^\]]*\]", " ", line)  # [arch=amd64 signed-by=...]
        words = line.split()
        if len(words) >= 3:
            yield AptSource(uri=words[1], suites=(words[2],), components=tuple(words[3:]), origin=origin)


def deb822_sources(text: str, origin: str) -> Iterator[AptSource]:
    """Paragraphs of `Types: deb`, `URIs:`, `Suites:`, `Components:`, skipping `Enabled: no`."""
    for paragraph in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = ""
        for raw in paragraph.splitlines():
            if raw.lstrip().startswith("#"):
                continue
            if raw[:1].isspace() and key:  # a continuation line
                fields[key] += " " + raw.strip()
                continue
            name, sep, value = raw.partition(":")
            if sep:
                key = name.strip().lower()
                fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes").lower() == "no":
            continue
        for uri in fields.get("uris", "").split():
            yield AptSource(
                uri, tuple(fields.get("suites", "").split()), tuple(fields.get("components", "").split()), origin
            )


def machine_sources(apt_dir: Path = APT_DIR) -> list[AptSource]:
    files = [apt_dir / "sources.list"]
    parts = apt_dir / "sources.list.d"
    if parts.is_dir():
        files += sorted(p for p in parts.iterdir() if p.suffix in (".list", ".sources"))
    sources: list[AptSource] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        reader = deb822_sources if path.suffix == ".sources" else one_line_sources
        sources += reader(text, str(path))
    return sources


def debian_mirror(environ: Mapping[str, str] = os.environ, apt_dir: Path = APT_DIR) -> str:
    """The mirror to bootstrap from: the environment's, else the first Debian archive apt uses."""
    given = environ.get(MIRROR_ENV, "").strip()
    if given:
        return given.rstrip("/")
    for source in machine_sources(apt_dir):
        if "main" in source.components and DEBIAN_SUITES.intersection(source.suites):
            return source.uri.rstrip("/")
    raise ImageBuildError(
        f"no Debian mirror is known: {apt_dir}/sources.list and sources.list.d/ name no Debian archive "
        f"(a `main` component of bookworm, trixie, ...); set {MIRROR_ENV}=http://your.mirror/debian "
        "or pass --debian-mirror"
    )
