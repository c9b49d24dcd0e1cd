"""The confinement steps, in the order they must happen, and what each one protects.

`setup_supervisor` runs in process 1 of the new namespaces (still privileged there) and leaves
it unprivileged; `enter_student_domain` runs in each kernel process before student code, and
again in each test process (a domain of its own: it cannot signal or ptrace the process it was
forked from, nor another test).
"""
from __future__ import annotations

import os
import resource

from autograder.sandbox import fsview, linux

MB = 2**20


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def apply_limits(limits: dict) -> None:
    """Resource limits inherited by every student process. Memory is address space on top of
    what the preloaded libraries already map, so numpy and torch leave the same room."""
    memory = _vm_size() + int(limits["memory_mb"]) * MB
    for name, value in (
        ("RLIMIT_AS", memory),  # per process; the cgroup, where there is one, bounds the total
        ("RLIMIT_CPU", int(limits["cpu_seconds"])),
        ("RLIMIT_NPROC", int(limits["processes"])),
        ("RLIMIT_FSIZE", int(limits["file_size_mb"]) * MB),
        ("RLIMIT_NOFILE", int(limits["open_files"])),
        ("RLIMIT_CORE", 0),
    ):
        resource.setrlimit(getattr(resource, name), (value, value))


def setup_supervisor(config: dict) -> list[str]:
    """Confine process 1 and return the protections that are now active, in words."""
    active = ["独立的进程命名空间（PID namespace）：评分结束时其中的进程全部终止", "没有网络（network namespace）"]
    mode = config["mode"]
    limits = config["limits"]
    if mode == "none":
        active = []
    else:
        owner = config["uid"] if os.geteuid() == 0 and mode == "root" else None
        fsview.build(config["view"], config["readonly"], config["hidden"], int(limits["disk_mb"]), owner,
                     config.get("sources"))
        for fd in config.get("sources", {}).values():
            os.close(fd)
        config["scratch"], config["snapshot"] = "/tmp", fsview.SNAPSHOT
        active.append("私有文件系统视图：看不到课程文件、隐藏测试和其他同学的提交")
        active.append(f"磁盘配额：/tmp 最多 {limits['disk_mb']} MB（内存文件系统 tmpfs）")
        if _no_ipc_objects():
            active.append("不能创建 System V / POSIX 进程间通信对象（IPC namespace 的上限为 0）")
    active += config.get("cgroup_protections", [])
    apply_limits(limits)
    if os.geteuid() == 0 and mode != "userns":
        # RLIMIT_NPROC counts per user, so each worker slot has a user of its own.
        os.setgroups([])
        os.setgid(config["uid"])
        os.setuid(config["uid"])
        active.append(f"非特权用户（uid {config['uid']}）")
    elif mode == "userns" and config.get("mapped_uid") is not None:
        active.append(f"用户命名空间（user namespace，对外是 uid {config['mapped_uid']}）")
    if mode == "none":
        os.chdir(config["scratch"])
        for name in ("HOME", "TMPDIR"):
            config["env"][name] = config["scratch"]
        config["env"]["MPLCONFIGDIR"] = config["scratch"] + "/.matplotlib"
    active.append("资源限制：内存、CPU 时间、进程数、文件大小、打开文件数")
    os.environ.clear()
    os.environ.update(config["env"])
    active.append("固定的最小环境变量：评分程序的环境变量（令牌、密码、课程路径）不会传给学生代码")
    if linux.is_linux():
        linux.prctl(linux.PR_SET_DUMPABLE, 0)
        linux.prctl(linux.PR_SET_CHILD_SUBREAPER, 1)   # orphans of the kernel stay ours to reap
    abi = config.get("landlock_abi", 0)
    if abi:
        _landlock(config, abi, supervisor=True)
        active.append(f"Landlock ABI {abi}：限制文件访问{'、信号' if abi >= 6 else ''}{'、TCP' if abi >= 4 else ''}"
                      f"{'；每个测试在自己的域里，不能影响其他测试' if abi >= 6 else ''}")
    return active


def enter_student_domain(config: dict) -> None:
    """A nested Landlock domain: student code can no longer signal or ptrace the processes of
    the domain it came from (the supervisor; for a test, the kernel and the other tests)."""
    abi = config.get("landlock_abi", 0)
    if abi:
        _landlock(config, abi)
    if linux.is_linux():
        linux.prctl(linux.PR_SET_DUMPABLE, 1)  # its own /proc entries stay readable to it


def _no_ipc_objects() -> bool:
    """SysV shared memory, message queues and semaphores, and POSIX message queues outlive the
    process that makes them: in a test they would carry data to the next one. Allow none."""
    settings = {"/proc/sys/kernel/shmmni": "0", "/proc/sys/kernel/msgmni": "0",
                "/proc/sys/kernel/sem": "0 0 0 0", "/proc/sys/fs/mqueue/queues_max": "0"}
    try:
        for path, value in settings.items():
            with open(path, "w") as handle:
                handle.write(value)
    except OSError:
        return False
    return True


def _landlock(config: dict, abi: int, supervisor: bool = False) -> None:
    writable = [config["scratch"], "/dev/null"] + ([config["snapshot"]] if supervisor else [])
    if config["mode"] == "none":
        read = [*config["readonly"], "/usr", "/lib", "/lib64", "/etc", "/proc", "/dev", "/sys", config["snapshot"]]
    else:
        read = ["/"]
    linux.landlock_restrict(read, writable, abi)
