"""CPU and memory figures from /proc: a process tree's, and the whole machine's."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

_CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class ProcStats:
    """CPU seconds (user + system, reaped children included) and memory of a process tree."""

    cpu_s: float
    rss_kb: int
    rss_peak_kb: int
    write_bytes: int  # bytes the tree sent to storage (/proc/<pid>/io), SQLite's writes
    # The part of cpu_s spent in the kernel: socket writes and reads, epoll, fsync.
    sys_s: float = 0.0


def tree_stats(root: int) -> ProcStats:
    """Sum over a process and its descendants (a server may fork workers)."""
    cpu = system = 0.0
    rss = 0
    peak = 0
    written = 0
    for pid in _process_tree(root):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            user_s, sys_s = _cpu_seconds(pid)
            cpu += user_s + sys_s
            system += sys_s
            status = _status_kb(pid)
            rss += status.get("VmRSS", 0)
            peak += status.get("VmHWM", 0)
            written += _write_bytes(pid)
    return ProcStats(cpu, rss, peak, written, system)


@dataclass(frozen=True, slots=True)
class MachineCpu:
    """Seconds all cores spent, from /proc/stat: in processes, in softirq, and stolen."""

    processes_s: float  # user + nice + system + irq: what processes' own times add up to
    softirq_s: float  # mostly loopback TCP here; charged to no process
    steal_s: float  # taken by the hypervisor, not ours at all

    def __sub__(self, other: MachineCpu) -> MachineCpu:
        return MachineCpu(
            self.processes_s - other.processes_s,
            self.softirq_s - other.softirq_s,
            self.steal_s - other.steal_s,
        )


def machine_cpu() -> MachineCpu:
    """CPU seconds since boot over all cores."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return MachineCpu((user + nice + system + irq) / _CLK_TCK, softirq / _CLK_TCK, steal / _CLK_TCK)


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int(_stat_fields(int(entry.name))[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    tree = [root]
    for pid in tree:
        tree.extend(children.get(pid, []))
    return tree


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (which may contain spaces)."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system seconds, reaped children's included."""
    # utime, stime, cutime, cstime: fields 14-17 in proc(5), 11-14 after the name
    utime, stime, cutime, cstime = (int(value) for value in _stat_fields(pid)[11:15])
    return (utime + cutime) / _CLK_TCK, (stime + cstime) / _CLK_TCK


def _status_kb(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def _write_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0
