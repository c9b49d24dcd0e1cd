"""The zygote: a process with numpy (and torch) already imported that forks sandboxes.

Importing torch takes about two seconds; forking a process that has it takes milliseconds.
The zygote holds nothing secret (it never imports the suites or the solutions), so what its
children inherit is harmless. Run as `python -m autograder.sandbox.zygote FD MODULES`.

Each spawn request carries a socket; the zygote forks a launcher that creates the namespaces
and forks the supervisor (process 1 inside them), reports its pid on the socket, and exits.
"""
from __future__ import annotations

import gc
import json
import os
import select
import signal
import socket
import sys
import tempfile
import traceback

from autograder.sandbox import fsview, linux
from autograder.sandbox import protocol

NAMESPACES = (linux.CLONE_NEWPID | linux.CLONE_NEWNS | linux.CLONE_NEWNET
              | linux.CLONE_NEWIPC | linux.CLONE_NEWUTS)


def serve(control: socket.socket, name: str = "", linger: float = 0.0) -> None:
    """Fork a sandbox for each spawn request. With a name, also serve later `check`s of the same user
    that connect to it, and exit only after `linger` seconds without any connection."""
    if linux.is_linux():
        linux.prctl(linux.PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGCHLD, lambda signum, frame: linux.reap_children())
    listener = _listen(name) if name else None
    connections = [control]
    try:
        protocol.send(control, {"ready": True, "pid": os.getpid()})
    except OSError:
        connections = []   # the grader stopped before we were ready (a `check` interrupted)
    spawned, collapsed = 0, False
    while True:
        if not connections and listener is None:
            os._exit(0)
        if spawned and not collapsed and not connections:
            # Huge pages make every later test's fork and end cheaper (~1 ms each) but cost
            # 0.05-0.25 s to make: worth it before a batch's second sandbox or while a lingering
            # zygote waits, not before a single `check`.
            linux.collapse_to_huge_pages()
            collapsed = True
        waiting = connections + ([listener] if listener else [])
        readable, _, _ = select.select(waiting, [], [], None if connections else linger)
        if not readable:
            os._exit(0)   # idle for `linger` seconds
        for sock in readable:
            if sock is listener:
                accepted = _accept(listener)
                if accepted is not None:
                    connections.append(accepted)
                continue
            try:
                payload, fds = protocol.recv_raw_fds(sock)
                request = json.loads(payload)
            except (protocol.Closed, protocol.ProtocolError, OSError, ValueError):
                connections.remove(sock)
                sock.close()
                continue
            if request.get("op") == "adopt" and len(fds) == 1:
                # Another worker of the grader that started us (a batch shares one zygote): a
                # connection of its own, handed over on an existing one, never by name.
                adopted = socket.socket(fileno=os.dup(fds[0]))
                try:
                    protocol.send(adopted, {"ready": True, "pid": os.getpid()})
                    connections.append(adopted)
                except OSError:
                    adopted.close()
            elif request.get("op") == "spawn" and len(fds) == 1 and isinstance(request.get("config"), dict):
                if spawned == 1 and not collapsed:
                    linux.collapse_to_huge_pages()
                    collapsed = True
                _fork_launcher([*connections, *([listener] if listener else [])], fds[0], request["config"])
                spawned += 1
            for fd in fds:
                os.close(fd)


def _listen(name: str) -> socket.socket | None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind("\0" + name)
        listener.listen(8)
        return listener
    except OSError:   # another zygote has the name: serve only our own grader
        listener.close()
        return None


def _accept(listener: socket.socket) -> socket.socket | None:
    """A later `check` of our own user; anyone else is turned away."""
    try:
        sock, _ = listener.accept()
    except OSError:
        return None
    try:
        if linux.peer_credentials(sock)[1] == os.geteuid():
            protocol.send(sock, {"ready": True, "pid": os.getpid()})
            return sock
    except OSError:
        pass
    sock.close()
    return None


def _fork_launcher(sockets: list[socket.socket], channel_fd: int, config: dict) -> None:
    if os.fork() != 0:
        return
    try:
        # Nothing of the zygote's own sockets reaches a sandbox: above all not the listener, whose
        # next connection would be another `check` talking to a student's process.
        for sock in sockets:
            sock.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        channel = socket.socket(fileno=os.dup(channel_fd))
        _launch(channel, config)
    finally:
        os._exit(0)


def _launch(channel: socket.socket, config: dict) -> None:
    """Runs in the launcher: its cgroup, namespaces, then the supervisor."""
    os.setsid()
    base = tempfile.mkdtemp(prefix="autograder-", dir=config.get("tmp"))
    config["view"] = f"{base}/view"
    os.chmod(base, 0o711)  # the slot's user must reach what is inside
    os.mkdir(config["view"], 0o755)
    mode = config["mode"]
    try:
        for procs in config.get("cgroup_procs", []):
            # Everything of this submission starts here, so it can all be counted and killed.
            with open(procs, "w") as handle:
                handle.write(str(os.getpid()))
        if mode == "none":
            # No mount namespace: host directories (no quota) stand in for the tmpfs.
            config["scratch"], config["snapshot"] = f"{base}/tmp", f"{base}/snapshot"
            for path in (config["scratch"], config["snapshot"]):
                os.mkdir(path, 0o700)
        else:
            config["sources"] = fsview.bind_sources(config["readonly"])
        if os.geteuid() == 0:
            # Root hands the sandbox to the slot's user, who runs the student code
            # (in userns mode as the namespace's root, mapped to that user outside).
            if mode == "none":
                for path in (config["scratch"], config["snapshot"]):
                    os.chown(path, config["uid"], config["uid"])
            uid = gid = config["uid"]
        else:
            uid, gid = os.getuid(), os.getgid()
        if mode == "root":
            linux.unshare(NAMESPACES)
        elif mode == "userns":
            _unshare_user_namespace(uid, gid)
            config["mapped_uid"] = uid
    except OSError as exc:
        protocol.send(channel, {"pid": None, "base": base, "error": f"namespaces: {exc}"})
        return
    go_read, go_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(go_write)
        os.read(go_read, 1)  # speak only after the launcher has reported our pid
        os.close(go_read)
        _supervise(channel, config)
        os._exit(0)
    protocol.send(channel, {"pid": pid, "base": base})
    os.write(go_write, b"x")


def _unshare_user_namespace(uid: int, gid: int) -> None:
    """Enter new namespaces as the root of a user namespace mapped to uid/gid outside. The
    maps are written by a helper left in the parent namespace: only there may root map a
    user other than itself."""
    go_read, go_write = os.pipe()
    mapper = os.fork()
    if mapper == 0:
        os.close(go_write)
        os.read(go_read, 1)
        target = os.getppid()
        try:
            _write(f"/proc/{target}/setgroups", "deny")
            _write(f"/proc/{target}/uid_map", f"0 {uid} 1")
            _write(f"/proc/{target}/gid_map", f"0 {gid} 1")
        except OSError:
            os._exit(1)
        os._exit(0)
    os.close(go_read)
    try:
        linux.unshare(NAMESPACES | linux.CLONE_NEWUSER)
    finally:
        os.write(go_write, b"x")
        os.close(go_write)
        _, status = os.waitpid(mapper, 0)
    if status != 0:
        raise OSError(1, "could not write the user namespace's uid map")
    # Become the namespace's root, i.e. the mapped user outside (as real root we were not).
    os.setgid(0)
    os.setuid(0)


def _supervise(channel: socket.socket, config: dict) -> None:
    from autograder.sandbox import confine
    from autograder.sandbox.supervisor import Supervisor
    try:
        active = confine.setup_supervisor(config)
    except Exception as exc:  # report any set-up failure instead of running unconfined
        where = traceback.extract_tb(exc.__traceback__)[-1]
        protocol.send(channel, {"ready": False, "error": f"{type(exc).__name__}: {exc} "
                                f"({os.path.basename(where.filename)}:{where.lineno} {where.line})"})
        return
    protocol.send(channel, {"ready": True, "protections": active})
    Supervisor(channel, config).run()


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def main(argv: list[str]) -> None:
    control_fd, modules = int(argv[0]), [m for m in argv[1].split(",") if m]
    shared, linger = (argv[2], float(argv[3])) if len(argv) > 3 else ("", 0.0)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    os.environ["MPLBACKEND"] = "Agg"
    for module in modules:
        __import__(module)
    if "matplotlib.pyplot" in sys.modules:
        pyplot = sys.modules["matplotlib.pyplot"]
        pyplot.show = lambda *args, **kwargs: None   # figures are never looked at while grading
        pyplot.rcParams["figure.max_open_warning"] = 0
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)  # forked children must never start OpenMP pools
    import autograder.sandbox.confine  # noqa: F401 - imported before forking, never lazily
    import autograder.sandbox.supervisor  # noqa: F401
    # What is imported now into the permanent generation: collections in the sandboxes never walk
    # it, so they do not copy its pages (copy-on-write) in every fork. (No gc.collect() first: after
    # importing torch it finds ~20 objects and costs 50 ms.)
    gc.freeze()
    serve(socket.socket(fileno=control_fd), shared, linger)


if __name__ == "__main__":
    main(sys.argv[1:])
