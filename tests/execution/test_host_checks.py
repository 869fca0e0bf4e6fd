"""Machine checks around a run, read from fake /sys and /proc/stat trees."""

from __future__ import annotations

from pathlib import Path

from concbench_poly.execution import host_checks


def machine(tmp_path: Path, *, siblings: dict[int, str], governor: str | None, boost: str | None) -> Path:
    cpu_dir = tmp_path / "cpu"
    for cpu, listing in siblings.items():
        (cpu_dir / f"cpu{cpu}" / "topology").mkdir(parents=True)
        (cpu_dir / f"cpu{cpu}" / "topology" / "thread_siblings_list").write_text(listing + "\n")
        if governor is not None:
            (cpu_dir / f"cpu{cpu}" / "cpufreq").mkdir()
            (cpu_dir / f"cpu{cpu}" / "cpufreq" / "scaling_governor").write_text(governor + "\n")
    if boost is not None:
        (cpu_dir / "cpufreq").mkdir(parents=True)
        (cpu_dir / "cpufreq" / "boost").write_text(boost + "\n")
    return cpu_dir


def stat(busy: int, idle: int, steal: int = 0) -> str:
    # user nice system idle iowait irq softirq steal
    return f"cpu  0 0 0 0 0 0 0 0\ncpu0 {busy} 0 0 {idle} 0 0 0 {steal}\ncpu1 {busy} 0 0 {idle} 0 0 0 {steal}\n"


def test_a_busy_sibling_is_measured_between_the_two_reads(tmp_path: Path) -> None:
    cpu_dir = machine(tmp_path, siblings={0: "0-1", 1: "0-1"}, governor="powersave", boost="1")
    proc_stat = tmp_path / "stat"
    proc_stat.write_text(stat(busy=100, idle=100))
    snapshot = host_checks.before([0], cpu_dir, proc_stat)
    proc_stat.write_text(stat(busy=175, idle=125))  # cpu1 busy 75 of the 100 jiffies since
    checks = host_checks.after(snapshot, cpu_dir, proc_stat)
    assert checks == {
        "governors": ["powersave"],
        "turbo": True,
        "siblings": "1",
        "siblings_busy": 0.75,
        "steal": 0.0,
    }


def test_steal_is_the_hypervisors_share_of_the_pinned_cores_between_the_two_reads(tmp_path: Path) -> None:
    cpu_dir = machine(tmp_path, siblings={0: "0", 1: "1"}, governor=None, boost=None)
    proc_stat = tmp_path / "stat"
    proc_stat.write_text(stat(busy=100, idle=100, steal=50))
    snapshot = host_checks.before([0, 1], cpu_dir, proc_stat)
    # Since then each pinned cpu counted 60 busy, 20 idle and 20 stolen jiffies: 20% stolen.
    proc_stat.write_text(stat(busy=160, idle=120, steal=70))
    assert host_checks.after(snapshot, cpu_dir, proc_stat)["steal"] == 0.2


def test_a_vm_without_cpufreq_or_siblings_reports_nothing_it_cannot_read(tmp_path: Path) -> None:
    cpu_dir = machine(tmp_path, siblings={0: "0"}, governor=None, boost=None)
    snapshot = host_checks.before([0], cpu_dir, tmp_path / "missing")
    assert host_checks.after(snapshot, cpu_dir, tmp_path / "missing") == {
        "governors": None,
        "turbo": None,
        "siblings": None,
        "siblings_busy": None,
        "steal": None,
    }
