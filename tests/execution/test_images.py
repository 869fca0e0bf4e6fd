"""Image tags follow the runner sources: a change to any build input, and only that, makes a new tag."""

from __future__ import annotations

from pathlib import Path

from concbench_poly.execution.images import build_args, context_files, image_tag, source_digest


def make_context(root: Path) -> Path:
    (root / "lib").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "runner.py").write_text("print('runner')\n")
    (root / "lib" / "model.py").write_text("X = 1\n")
    (root / "tests" / "test_x.py").write_text("def test(): pass\n")
    (root / "Dockerfile").write_text("FROM scratch\n")
    (root / ".dockerignore").write_text("# not sent\ntests\n**/tests\nDockerfile\n.dockerignore\n")
    return root


def test_context_files_follow_dockerignore(tmp_path: Path) -> None:
    context = make_context(tmp_path)
    assert [p.relative_to(context).as_posix() for p in context_files(context)] == ["lib/model.py", "runner.py"]


def test_digest_changes_with_sources_dockerfile_and_args_but_not_tests(tmp_path: Path) -> None:
    context = make_context(tmp_path)
    args = build_args("python", offline=False)
    base = source_digest(context, args)
    assert source_digest(context, args) == base

    (context / "tests" / "test_x.py").write_text("def test(): assert False\n")
    assert source_digest(context, args) == base, "tests are not in the image"

    (context / "Dockerfile").write_text("FROM scratch\nENV X=1\n")
    after_dockerfile = source_digest(context, args)
    assert after_dockerfile != base, "a Dockerfile edit must make a new image"

    (context / "lib" / "model.py").write_text("X = 2\n")
    after_source = source_digest(context, args)
    assert after_source != after_dockerfile

    assert source_digest(context, build_args("python", offline=True)) != after_source


def test_offline_build_args_point_every_base_at_the_bootstrapped_image() -> None:
    assert set(build_args("go", offline=True).values()) == {"concbench-poly/base:bookworm"}
    assert build_args("go", offline=False)["BUILD_IMAGE"] == "golang:1.23-bookworm"
    assert image_tag("node", "ab" * 32) == "concbench-poly/node:abababababab"
