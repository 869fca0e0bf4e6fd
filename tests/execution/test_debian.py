"""The Debian mirror comes from the environment or the machine's apt sources, in both file formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from concbench_poly.errors import ImageBuildError
from concbench_poly.execution.debian import MIRROR_ENV, debian_mirror

NODESOURCE = """Types: deb
URIs: https://deb.nodesource.com/node_20.x
Suites: nodistro
Components: main
"""

DEB822 = """Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.lab.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.lab.example/debian-security
Suites: bookworm-security
Components: main
"""


def apt_dir(tmp_path: Path, sources_list: str = "", parts: dict[str, str] | None = None) -> Path:
    root = tmp_path / "apt"
    (root / "sources.list.d").mkdir(parents=True)
    (root / "sources.list").write_text(sources_list)
    for name, text in (parts or {}).items():
        (root / "sources.list.d" / name).write_text(text)
    return root


def test_one_line_format(tmp_path: Path) -> None:
    listing = "# a comment\ndeb-src http://src.example/debian bookworm main\n"
    listing += "deb [arch=amd64 signed-by=/k.gpg] http://ftp.example.org/debian/ bookworm main contrib\n"
    assert debian_mirror({}, apt_dir(tmp_path, listing)) == "http://ftp.example.org/debian"


def test_deb822_format_skips_third_party_and_disabled_sources(tmp_path: Path) -> None:
    disabled = "Types: deb\nURIs: http://old.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n"
    parts = {"0-nodesource.sources": NODESOURCE, "1-old.sources": disabled, "debian.sources": DEB822}
    assert debian_mirror({}, apt_dir(tmp_path, "", parts)) == "http://mirror.lab.example/debian"


def test_the_environment_wins(tmp_path: Path) -> None:
    found = debian_mirror({MIRROR_ENV: "http://given.example/debian/"}, apt_dir(tmp_path, "", {"d.sources": DEB822}))
    assert found == "http://given.example/debian"


def test_no_known_mirror_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ImageBuildError, match=MIRROR_ENV):
        debian_mirror({}, apt_dir(tmp_path, "", {"nodesource.sources": NODESOURCE}))
