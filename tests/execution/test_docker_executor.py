"""Real containers through the docker SDK: limits, OOM, invalid output, time limits, cleanup."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from concbench_poly.cases import Case, plan_cases
from concbench_poly.config import MIB, Limits, Repetitions, RunOptions, WorkloadParams
from concbench_poly.execution import interrupts
from concbench_poly.execution.base import RunRequest
from concbench_poly.execution.docker_engine import managed_containers, remove_quietly
from concbench_poly.execution.docker_executor import DockerExecutor
from concbench_poly.execution.images import OFFLINE_BASE_IMAGE, ImageRef
from concbench_poly.execution.suite import SilentEvents, run_suite
from concbench_poly.results.outcome import to_result
from concbench_poly.results.store import load_results

pytestmark = pytest.mark.docker

LIMITS = Limits(cpus=1.0, cpuset="0", memory_bytes=256 * MIB, pids=2048, timeout_s=120)


def case(language: str, approach: str, workload: str = "io", **params: Any) -> Case:
    [found] = [
        c
        for c in plan_cases((language,), (workload,), WorkloadParams(**params), (approach,))
        if c.pool_size in (None, 50)
    ]
    return found


def test_limits_are_applied_and_seen_from_inside(docker_client: Any, runner_images: dict[str, ImageRef]) -> None:
    executor = DockerExecutor(docker_client, runner_images)
    request = RunRequest(case("python", "asyncio", tasks=200), LIMITS, run_id="itest-limits", keep=True)
    raw = executor.run(request)
    try:
        result = to_result(raw, request, executor.host_info())
        assert result.ok, result.error_message
        cgroup = result.document["environment"]["cgroup"]
        assert cgroup["cpuset"] == "0"
        assert cgroup["cpu_quota_cores"] == pytest.approx(1.0)
        assert cgroup["memory_limit_bytes"] == 256 * MIB
        assert result.document["environment"]["parallelism"] == 1

        attrs = docker_client.api.inspect_container(raw.container_id)
        host_config = attrs["HostConfig"]
        assert host_config["CpusetCpus"] == "0"
        assert host_config["NanoCpus"] == 1_000_000_000
        assert host_config["Memory"] == host_config["MemorySwap"] == 256 * MIB
        assert host_config["PidsLimit"] == 2048
        assert host_config["NetworkMode"] == "none"
        assert host_config["ReadonlyRootfs"] is True
        assert host_config["CapDrop"] == ["ALL"]
        assert "no-new-privileges" in host_config["SecurityOpt"]
        assert attrs["Config"]["User"] == "10001:10001"
        assert attrs["Config"]["Labels"]["concbench-poly.managed"] == "true"
    finally:
        remove_quietly(docker_client.containers.get(raw.container_id))


def test_every_runner_runs_in_its_container(docker_client: Any, runner_images: dict[str, ImageRef]) -> None:
    executor = DockerExecutor(docker_client, runner_images)
    for language, approach, workload in [
        ("go", "goroutines", "io"),
        ("node", "async", "io"),
        ("node", "worker_threads", "cpu"),
        ("python", "multiprocessing", "cpu"),
        ("java", "virtual-threads", "io"),
        ("java", "fixed-pool", "cpu"),
        ("java", "virtual-threads-pool", "mixed"),
        ("rust", "tokio", "io"),
        ("rust", "rayon", "cpu"),
        ("rust", "tokio-rayon", "mixed"),
    ]:
        request = RunRequest(case(language, approach, workload, tasks=100, repeat=100), LIMITS, run_id="itest-all")
        result = to_result(executor.run(request), request, executor.host_info())
        # to_result validated the document against the schema composed with the contract.
        assert result.ok, f"{language}/{approach}: {result.error_message}"
        assert result.document["execution"]["image"] == runner_images[language].tag
        if workload in ("io", "mixed"):  # a task's service time holds its whole wait
            assert result.measurement is not None and result.measurement.service.p50 >= 10.0
        if workload == "mixed":
            assert result.document["wakeup_ms"]["early_tasks"] == 0


def test_oom_kill_is_reported_and_other_results_survive(
    docker_client: Any, runner_images: dict[str, ImageRef], tmp_path: Path
) -> None:
    # Each cpu task materialises payload * repeat = 64 MiB; under 32 MiB that can only end in the OOM killer.
    oom_case = case("python", "threading", "cpu", tasks=4, repeat=1024 * 1024)
    ok_case = case("go", "goroutines", "io", tasks=100)
    opts = RunOptions(
        limits=Limits(memory_bytes=32 * MIB, pids=2048, timeout_s=120),
        repetitions=Repetitions(warmup=0, repeat=1),
        executor="docker",
    )
    executor = DockerExecutor(docker_client, runner_images)
    run = run_suite(opts, [oom_case, ok_case], tmp_path, SilentEvents(), executor)
    oom, ok = run.results
    assert oom.error_kind == "oom_killed", oom.error_message
    assert oom.document["execution"]["oom_killed"] is True
    assert ok.ok, ok.error_message
    assert {r.case.key for r in load_results(tmp_path)} == {oom_case.key, ok_case.key}


@pytest.fixture(scope="module")
def misbehaving_image(docker_client: Any, runner_images: dict[str, ImageRef]) -> str:
    """A real image whose entrypoint prints something that is not a result, or sleeps."""
    base = OFFLINE_BASE_IMAGE if docker_client.images.list(name=OFFLINE_BASE_IMAGE) else runner_images["python"].tag
    dockerfile = (
        f"FROM {base}\n"
        "LABEL concbench-poly.managed=true\n"
        'ENTRYPOINT ["/bin/sh", "-c", "if [ \\"$4\\" = sleep ]; then sleep 600; fi; echo this is not json", "x"]\n'
    )
    tag = "concbench-poly/test-misbehaving:latest"
    docker_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True)
    return tag


def test_invalid_output_is_reported_not_crashed_on(docker_client: Any, misbehaving_image: str) -> None:
    images = {"python": ImageRef("python", misbehaving_image, None)}
    executor = DockerExecutor(docker_client, images)
    request = RunRequest(case("python", "asyncio", tasks=10), LIMITS, run_id="itest-invalid")
    result = to_result(executor.run(request), request, executor.host_info())
    assert result.error_kind == "invalid_output"
    assert "python/asyncio" in (result.error_message or "") and "container" in (result.error_message or "")


def test_a_run_past_its_time_limit_is_killed_and_removed(docker_client: Any, misbehaving_image: str) -> None:
    images = {"python": ImageRef("python", misbehaving_image, None)}
    executor = DockerExecutor(docker_client, images)
    # The entrypoint sleeps when its fourth argument ($4) is "sleep": --workload io --approach sleep.
    sleeping = Case("python", "sleep", "io", tasks=1, io_ms=1)
    request = RunRequest(sleeping, Limits(timeout_s=3, pids=64), run_id="itest-timeout")
    raw = executor.run(request)
    assert raw.timed_out
    assert not [c for c in managed_containers(docker_client, "itest-timeout")], "timed-out container left behind"


def test_runner_output_in_a_container_is_one_json_document(
    docker_client: Any, runner_images: dict[str, ImageRef]
) -> None:
    output = docker_client.containers.run(
        runner_images["node"].tag,
        ["--workload", "io", "--approach", "async", "--tasks", "10", "--io-ms", "1"],
        remove=True,
        network_mode="none",
        read_only=True,
        labels={"concbench-poly.managed": "true"},
        stdout=True,
        stderr=False,
    )
    document = json.loads(output)
    assert document["language"] == "node" and document["status"] == "ok"


def test_ctrl_c_during_a_run_removes_its_container(docker_client: Any, misbehaving_image: str) -> None:
    import signal
    import threading

    images = {"python": ImageRef("python", misbehaving_image, None)}
    executor = DockerExecutor(docker_client, images)
    sleeping = Case("python", "sleep", "io", tasks=1, io_ms=1)
    request = RunRequest(sleeping, Limits(timeout_s=120, pids=64), run_id="itest-sigint")
    main = threading.get_ident()

    def interrupt_once_running() -> None:
        for _ in range(100):
            if managed_containers(docker_client, "itest-sigint"):
                break
            threading.Event().wait(0.1)
        signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=interrupt_once_running, daemon=True).start()
    # The CLI's own handlers, as every command runs under them: a process started in the background by
    # a shell without job control inherits SIGINT ignored, and Python then never raises KeyboardInterrupt.
    with interrupts.handling(), pytest.raises(KeyboardInterrupt):
        executor.run(request)
    assert not managed_containers(docker_client, "itest-sigint")


def test_a_failing_image_build_names_the_runner(docker_client: Any, tmp_path: Path) -> None:
    from concbench_poly.errors import ImageBuildError
    from concbench_poly.execution.images import ImageBuilder

    context = tmp_path / "runners" / "python"
    context.mkdir(parents=True)
    (context / "Dockerfile").write_text(
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo the toolchain is missing >&2 && exit 3\n"
    )
    builder = ImageBuilder(docker_client, tmp_path)
    with pytest.raises(ImageBuildError, match=r"^python: building concbench-poly/python:\w+ failed"):
        builder.ensure("python", offline=True)


def test_clean_removes_labelled_containers(docker_client: Any, runner_images: dict[str, ImageRef]) -> None:
    from typer.testing import CliRunner

    from concbench_poly.cli import app

    container = docker_client.containers.create(
        runner_images["go"].tag, ["--help"], labels={"concbench-poly.managed": "true"}
    )
    result = CliRunner().invoke(app, ["clean"])
    assert result.exit_code == 0, result.output
    assert container.id not in {c.id for c in docker_client.containers.list(all=True)}


def test_doctor_sees_the_engine_and_the_images(docker_client: Any, runner_images: dict[str, ImageRef]) -> None:
    from typer.testing import CliRunner

    from concbench_poly.cli import app

    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "reachable, version" in result.stdout
    for ref in runner_images.values():
        assert ref.tag in result.stdout
