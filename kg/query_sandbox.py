"""The query workers' sandbox: no sockets, and a ceiling on memory.

Oxigraph as shipped on PyPI (pyoxigraph 0.5) is built with an HTTP client and
sends ``SERVICE`` requests itself; it has no option to turn that off or to hand
it a handler. The SPARQL pre-check (:mod:`kg.sparql_analysis`) refuses SERVICE,
but it reads the query with another parser (rdflib), and two parsers never agree
on everything. So the processes that evaluate queries cannot reach the network
at all, whatever the query says:

:func:`forbid_network` installs a seccomp filter (Linux, x86_64 and aarch64) on
every thread of the process (``SECCOMP_FILTER_FLAG_TSYNC``) after
``PR_SET_NO_NEW_PRIVS``. The filter makes ``socket()`` fail with ``EACCES`` for
every address family: IP, and Unix sockets too, because a local resolver
(nscd, systemd-resolved) would otherwise look a host name up on Oxigraph's
behalf (``SERVICE`` with a name built from the data). It also refuses
``io_uring`` (which opens sockets without the ``socket`` system call), the
socket pair call, ``execve``, ``ptrace`` and the cross-process memory calls, and
kills the process on a system call made through another architecture's table
(``int 0x80`` on x86_64). A worker needs none of them once its store is open.
If the filter cannot be installed, :class:`SandboxError` is raised and the
worker refuses to start: queries are never evaluated unsandboxed.

:func:`limit_memory` sets ``RLIMIT_AS`` to the process's size after start-up plus
the query budget. Past it, an allocation in Oxigraph (Rust) fails and the
process aborts (SIGABRT); one in Python raises :class:`MemoryError`. The parent
answers 503 either way and starts a fresh worker.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import socket

PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1

# Classic BPF, as seccomp reads it (linux/filter.h, linux/seccomp.h).
BPF_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
BPF_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
BPF_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
BPF_RET_K = 0x06  # BPF_RET | BPF_K
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_KILL_PROCESS = 0x80000000
#: Offsets in ``struct seccomp_data``.
NR_OFFSET, ARCH_OFFSET = 0, 4
#: x32 system calls on x86_64 have this bit set; none is allowed.
X32_SYSCALL_BIT = 0x40000000


class SandboxError(RuntimeError):
    """The sandbox cannot be installed here: the worker must not run queries."""


#: Per machine: the audit architecture, ``seccomp``'s number, and the system calls refused.
ARCHITECTURES: dict[str, tuple[int, int, dict[str, int]]] = {
    "x86_64": (
        0xC000003E,
        317,
        {
            "socket": 41,
            "socketpair": 53,
            "execve": 59,
            "execveat": 322,
            "ptrace": 101,
            "process_vm_readv": 310,
            "process_vm_writev": 311,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
        },
    ),
    "aarch64": (
        0xC00000B7,
        277,
        {
            "socket": 198,
            "socketpair": 199,
            "execve": 221,
            "execveat": 281,
            "ptrace": 117,
            "process_vm_readv": 270,
            "process_vm_writev": 271,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
        },
    ),
}


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def filter_program(machine: str) -> list[tuple[int, int, int, int]]:
    """The BPF program for ``machine`` (``uname -m``), as (code, jt, jf, k) rows.

    >>> program = filter_program("x86_64")
    >>> program[-2:] == [(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ...                  (BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EACCES)]
    True
    """
    if machine not in ARCHITECTURES:
        raise SandboxError(
            f"no seccomp filter for the {machine} architecture (known: "
            + ", ".join(ARCHITECTURES)
            + "); queries are not evaluated without the network sandbox"
        )
    arch, _, refused = ARCHITECTURES[machine]
    numbers = sorted(refused.values())
    deny = len(numbers) + 2  # jump offset from the first comparison to the deny row
    program = [
        (BPF_LD_W_ABS, 0, 0, ARCH_OFFSET),
        (BPF_JEQ_K, 1, 0, arch),
        (BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        (BPF_LD_W_ABS, 0, 0, NR_OFFSET),
        (BPF_JGE_K, deny - 1, 0, X32_SYSCALL_BIT),
    ]
    for index, number in enumerate(numbers):
        program.append((BPF_JEQ_K, deny - 2 - index, 0, number))
    program.append((BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    program.append((BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EACCES))
    return program


def forbid_network() -> None:
    """Install the filter on every thread of this process; :class:`SandboxError` if not.

    Irreversible: a process keeps its seccomp filters until it exits.
    """
    machine = platform.machine()
    program = filter_program(machine)
    _, seccomp_nr, _ = ARCHITECTURES[machine]
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    libc.prctl.restype = ctypes.c_int
    libc.syscall.restype = ctypes.c_long
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    rows = (_SockFilter * len(program))(*(_SockFilter(*row) for row in program))
    fprog = _SockFprog(len(program), rows)
    result = libc.syscall(
        ctypes.c_long(seccomp_nr),
        ctypes.c_ulong(SECCOMP_SET_MODE_FILTER),
        ctypes.c_ulong(SECCOMP_FILTER_FLAG_TSYNC),
        ctypes.byref(fprog),
    )
    if result != 0:
        reason = os.strerror(ctypes.get_errno()) if result < 0 else f"thread {result} refused"
        raise SandboxError(f"the seccomp filter could not be installed: {reason}")
    _check_no_sockets()


def _check_no_sockets() -> None:
    """Prove the filter works in this process: opening a socket must fail."""
    for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EPERM):
                continue
            raise SandboxError(f"socket({family.name}) failed oddly: {error}") from error
        sock.close()
        raise SandboxError(f"the seccomp filter is installed but socket({family.name}) works")


def process_size_mb() -> float:
    """The address space this process uses now (``VmSize``), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) / 1024
    raise SandboxError("cannot read VmSize from /proc/self/status")


def limit_memory(budget_mb: int) -> tuple[float, float]:
    """Cap this process's address space at its current size plus ``budget_mb``.

    Returns (baseline, limit) in MB. Core dumps are turned off as well: a worker
    that dies at its ceiling must not write a gigabyte to disk.
    """
    baseline = process_size_mb()
    limit = baseline + budget_mb
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    limit_bytes = int(limit * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    return baseline, limit
