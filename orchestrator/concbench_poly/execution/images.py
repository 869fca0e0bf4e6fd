"""Runner images: tagged by a hash of their sources, built with the docker SDK, offline if need be.

Online, the Dockerfiles start from pinned official images. Where no registry answers (air-gapped
labs, CI here) the same Dockerfiles start from a Debian bookworm base made with debootstrap and
`docker import`, and install the toolchains from Debian packages during the build.
"""

from __future__ import annotations

import fnmatch
import hashlib
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import docker
import docker.errors

from concbench_poly.config import MANAGED_LABEL
from concbench_poly.contract import contract
from concbench_poly.errors import EngineUnavailableError, ImageBuildError
from concbench_poly.execution.debian import debian_mirror
from concbench_poly.execution.docker_engine import ENGINE_ERRORS
from concbench_poly.execution.prepare import prepare_source

BASE_REPOSITORY = "concbench-poly/base"
OFFLINE_BASE_IMAGE = f"{BASE_REPOSITORY}:bookworm"  # the default runtimes' base

Log = Callable[[str], None]


@dataclass(frozen=True)
class ImageRef:
    language: str
    tag: str
    image_id: str | None
    built: bool = False
    runtime: str | None = None  # None: the language's default runtime


def build_args(language: str, offline: bool, runtime: str | None = None) -> dict[str, str]:
    """The runtime's build arguments (the contract's image recipe), '@suite' resolved to its base."""
    args = contract().runner(language).runtime(runtime).args(offline)
    return {name: base_image(value[1:]) if value.startswith("@") else value for name, value in args.items()}


def base_image(suite: str) -> str:
    return f"{BASE_REPOSITORY}:{suite}"


def base_suites(args: dict[str, str]) -> set[str]:
    """The Debian suites whose bootstrapped bases a build needs."""
    prefix = f"{BASE_REPOSITORY}:"
    return {value.removeprefix(prefix) for value in args.values() if value.startswith(prefix)}


def dockerignore_patterns(context: Path) -> list[str]:
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line.rstrip("/") for line in lines if line and not line.startswith("#")]


def context_files(context: Path) -> list[Path]:
    """The files `docker build` would send (a .dockerignore subset: plain patterns, no negation)."""
    patterns = dockerignore_patterns(context)
    files = []
    for path in sorted(context.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(context).as_posix()
        parts = rel.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(p, pat) or fnmatch.fnmatch(parts[-1], pat) for pat in patterns for p in prefixes):
            continue
        files.append(path)
    return files


# Build inputs that .dockerignore hides from the context but that shape the image all the same.
BUILD_FILES = ("Dockerfile", ".dockerignore")


def runtime_files(context: Path, language: str, runtime: str | None) -> list[Path]:
    """The context files of one runtime's image: everything but what other runtimes' prepare fetched
    (a 119 MiB Node.js binary must not enter Node 18's context, nor change its tag)."""
    runner = contract().runner(language)
    recipe = runner.runtime(runtime)
    foreign = {path for other in runner.runtimes if other.name != recipe.name for path in other.fetches}
    foreign -= set(recipe.fetches)
    files = context_files(context)
    return [f for f in files if not any(_within(f.relative_to(context).as_posix(), path) for path in foreign)]


def _within(relative: str, path: str) -> bool:
    path = path.rstrip("/")
    return relative == path or relative.startswith(path + "/")


def build_inputs(context: Path, files: Iterable[Path], dockerfile: str) -> list[Path]:
    """What a build reads: the context files, and the Dockerfile and .dockerignore that shape it."""
    extra = [context / name for name in (*BUILD_FILES, dockerfile) if (context / name).is_file()]
    return sorted({*files, *extra})


def source_digest(
    context: Path, args: dict[str, str], dockerfile: str = "Dockerfile", files: Iterable[Path] | None = None
) -> str:
    """sha256 over the build context, the Dockerfile and the build args: rebuilt only when these change.
    files: the context files (runtime_files); None: every file the context holds."""
    digest = hashlib.sha256()
    for name in sorted(args):
        digest.update(f"arg {name}={args[name]}\n".encode())
    if dockerfile != "Dockerfile":
        digest.update(f"dockerfile {dockerfile}\n".encode())
    for path in build_inputs(context, context_files(context) if files is None else files, dockerfile):
        digest.update(f"file {path.relative_to(context).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def image_tag(language: str, digest: str, runtime: str | None = None) -> str:
    """concbench-poly/python:1a2b3c4d5e6f, or concbench-poly/python:3.13t-1a2b3c4d5e6f for another runtime."""
    return f"concbench-poly/{language}:{f'{runtime}-' if runtime else ''}{digest[:12]}"


def expected_tag(
    root: Path, language: str, offline: bool, runtime: str | None = None, files: Iterable[Path] | None = None
) -> str:
    """The tag the image of a language's runtime has when built from these sources (nothing is built)."""
    runner = contract().runner(language)
    recipe = runner.runtime(runtime)
    context = root / runner.source_dir
    files = runtime_files(context, language, runtime) if files is None else files
    digest = source_digest(context, build_args(language, offline, runtime), recipe.dockerfile, files)
    # The default runtime named on its own (--runtime node=18) is the same image as no runtime at all.
    return image_tag(language, digest, None if recipe.name == runner.default_runtime else recipe.name)


class ImageBuilder:
    """Ensures one image per language; logs progress through `log` (the CLI decides where it goes)."""

    def __init__(
        self, client: docker.DockerClient, root: Path, log: Log = lambda _: None, mirror: str | None = None
    ) -> None:
        self._client = client
        self._root = root
        self._log = log
        self._mirror = mirror  # None: debian_mirror() decides, when a base has to be bootstrapped

    def registry_reachable(self, targets: Iterable[tuple[str, str | None]]) -> bool:
        """True when every official base of these (language, runtime) images is present or can be pulled
        (a pull fails at once offline)."""
        for language, runtime in targets:
            # Only the images: other build arguments are versions (NODE_MAJOR, GO_TOOLCHAIN, GIL).
            args = build_args(language, offline=False, runtime=runtime)
            for image in (value for name, value in args.items() if name.endswith("_IMAGE")):
                if self._present(image):
                    continue
                try:
                    self._client.images.pull(image)
                except docker.errors.APIError:
                    return False
        return True

    def ensure(self, language: str, *, offline: bool, force: bool = False, runtime: str | None = None) -> ImageRef:
        runner = contract().runner(language)
        recipe = runner.runtime(runtime)
        context = self._root / runner.source_dir
        prepare_source(language, self._root, runtime, offline=offline)
        args = build_args(language, offline, runtime)
        files = runtime_files(context, language, runtime)
        tag = expected_tag(self._root, language, offline, runtime, files)
        if not force and self._present(tag):
            return ImageRef(language, tag, self._client.images.get(tag).id, built=False, runtime=runtime)
        for suite in sorted(base_suites(args)):
            self.ensure_offline_base(suite)
        self._log(f"building {tag} from {context} ({'offline Debian base' if offline else 'official base'})")
        started = time.perf_counter()
        self._build(language, context, tag, args, recipe.dockerfile, files)
        self._log(f"built {tag} in {time.perf_counter() - started:.1f} s")
        return ImageRef(language, tag, self._client.images.get(tag).id, built=True, runtime=runtime)

    def _build(
        self, language: str, context: Path, tag: str, args: dict[str, str], dockerfile: str, files: list[Path]
    ) -> None:
        log_tail: list[str] = []
        with tempfile.TemporaryFile() as tar_file:
            # The context is sent as built here: exactly the files the tag's digest covers.
            with tarfile.open(fileobj=tar_file, mode="w") as tar:
                for path in build_inputs(context, files, dockerfile):
                    tar.add(path, arcname=path.relative_to(context).as_posix(), recursive=False)
            tar_file.seek(0)
            self._stream_build(language, tar_file, tag, args, dockerfile, log_tail)

    def _stream_build(
        self, language: str, tar_file: IO[bytes], tag: str, args: dict[str, str], dockerfile: str, log_tail: list[str]
    ) -> None:
        try:
            stream = self._client.api.build(
                fileobj=tar_file,
                custom_context=True,
                dockerfile=dockerfile,
                tag=tag,
                buildargs=args,
                rm=True,
                forcerm=True,
                pull=False,
                decode=True,
                labels={MANAGED_LABEL: "true", "concbench-poly.language": language},
            )
            for chunk in stream:
                if "error" in chunk:
                    tail = "".join(log_tail[-15:]).strip()
                    raise ImageBuildError(f"{language}: building {tag} failed: {chunk['error'].strip()}\n{tail}")
                text = chunk.get("stream")
                if text:
                    log_tail.append(text)  # kept for the error message; the steps themselves are noise
        except docker.errors.APIError as exc:
            raise ImageBuildError(f"{language}: building {tag} failed: {exc.explanation or exc}") from None

    def ensure_offline_base(self, suite: str = "bookworm") -> None:
        image = base_image(suite)
        if self._present(image):
            return
        mirror = self._mirror or debian_mirror()
        self._log(f"no registry: bootstrapping {image} with debootstrap ({mirror})")
        bootstrap_base_image(self._client, mirror, suite=suite, log=self._log)

    def _present(self, image: str) -> bool:
        try:
            self._client.images.get(image)
        except docker.errors.ImageNotFound:
            return False
        return True

    def remove_all(self) -> list[str]:
        """Every labelled image: the tagged runners and the untagged build stages they left behind."""
        removed = []
        for image in self._client.images.list(filters={"label": f"{MANAGED_LABEL}=true"}):
            for tag in image.tags:
                self._client.images.remove(tag, force=True)
                removed.append(tag)
        # Untagged stages have no name to report; their layers go with them.
        self._client.images.prune(filters={"dangling": True, "label": f"{MANAGED_LABEL}=true"})
        return removed


def bootstrap_base_image(
    client: docker.DockerClient, mirror: str, *, suite: str = "bookworm", log: Log = lambda _: None
) -> None:
    """debootstrap a minimal Debian `suite` and import it as its base image (needs root and debootstrap)."""
    image = base_image(suite)
    if shutil.which("debootstrap") is None:
        raise ImageBuildError(
            f"{image}: debootstrap is not installed (apt-get install debootstrap), and no registry answers"
        )
    repository, _, tag = image.partition(":")
    with tempfile.TemporaryDirectory(prefix="concbench-base-") as tmp:
        rootfs, tarball = Path(tmp) / "rootfs", Path(tmp) / "rootfs.tar"
        _run(["debootstrap", "--variant=minbase", suite, str(rootfs), mirror], image)
        log(f"{image}: packing the root filesystem")
        _run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(tarball), "."], image)
        try:
            client.api.import_image_from_file(
                str(tarball),
                repository=repository,
                tag=tag or "latest",
                changes=[f"LABEL {MANAGED_LABEL}=true", 'CMD ["/bin/bash"]'],
            )
        except docker.errors.APIError as exc:
            raise ImageBuildError(f"{image}: docker import failed: {exc.explanation or exc}") from None


def _run(command: list[str], image: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-10:])
        raise ImageBuildError(f"{image}: {command[0]} failed with exit code {result.returncode}:\n{tail}")


def ship_image(
    source: docker.DockerClient, target: docker.DockerClient, ref: ImageRef, where: str
) -> tuple[ImageRef, bool]:
    """The image `ref` names, copied from the source engine to the target where it lacks it (save and
    load through the SDK): every host then runs the same bits. Returns it as the target holds it, and
    whether it had to be shipped."""
    if not ref.tag:
        return ref, False  # it could not be built: its runs become build_failed rows on every host
    try:
        present = target.images.get(ref.tag)
    except docker.errors.ImageNotFound:
        present = None
    except ENGINE_ERRORS as exc:
        raise EngineUnavailableError(f"{where}: no answer while looking for {ref.tag} ({exc})") from None
    shipped = present is None
    if present is None:
        try:
            # Streamed: save's chunks go out as load's request body, never whole in memory. Named by
            # this tag: `named=True` would take the image's first tag, and one image ID often carries
            # several (identical sources under two runtimes' hashes), so the host would miss this one.
            target.images.load(_ChunkReader(source.images.get(ref.tag).save(named=ref.tag)))
            present = target.images.get(ref.tag)
        except docker.errors.APIError as exc:
            raise ImageBuildError(f"{where}: shipping {ref.tag} failed: {exc.explanation or exc}") from None
        except ENGINE_ERRORS as exc:
            raise EngineUnavailableError(f"{where}: the engine went away while {ref.tag} was shipped ({exc})") from None
    held = str(present.id)
    if ref.image_id is not None and held != ref.image_id:
        raise ImageBuildError(
            f"{where}: {ref.tag} is {held[:19]} there but {ref.image_id[:19]} here: the hosts would not run "
            "the same bits (remove the host's image, or --build-on-host)"
        )
    return replace(ref, image_id=held, built=False), shipped


class _ChunkReader:
    """A file-like view of an iterator of byte chunks, for a request body sent as it is read."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out
