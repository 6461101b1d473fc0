"""A SPARQL 1.1 endpoint over a built store: the ``oxigraph`` server from PyPI.

:class:`OxigraphServer` starts ``oxigraph serve-read-only`` (or ``serve``, read-write,
for tests and local pushes) as a child process on a loopback port, waits until it
answers, and stops it again. The server has a query web UI at ``/``, the SPARQL
protocol at ``/query`` (and ``/update`` when read-write) and the Graph Store
Protocol at ``/store``.

``policykg serve`` runs a :class:`ReloadingServer`: a build swaps a whole new
output folder in (``out/`` is renamed away, the staging folder renamed to
``out/``, the old one deleted), so a server would keep reading the old, deleted
store. The :class:`OutputWatcher` notices the swap (``out/report.json`` is another
file) and the server is restarted on the new store, on the same port. It never
takes the build lock and never restarts before the swap is complete.

The default graph is the union of all article graphs (``--union-default-graph``),
as in ``policykg query``.

>>> port_in_use("127.0.0.1", free_port())
False
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

__all__ = ["ServeError", "PortInUseError", "OxigraphServer", "ReloadingServer",
           "OutputWatcher", "find_oxigraph", "port_in_use", "free_port", "store_location",
           "output_root", "is_loopback"]


class ServeError(Exception):
    """The server cannot be started (no executable, port taken, no store)."""


class PortInUseError(ServeError):
    """Another program listens on the port."""


def find_oxigraph() -> str:
    """Path of the ``oxigraph`` executable (the PyPI package ``oxigraph``)."""
    exe = shutil.which("oxigraph")
    if exe is None:
        beside = Path(sys.executable).with_name("oxigraph")   # a venv not on PATH
        if beside.is_file():
            exe = str(beside)
    if exe is None:
        raise ServeError(
            "the oxigraph server executable was not found on PATH; it comes with the "
            "PyPI package `oxigraph` (a policykg dependency): run `pip install oxigraph`")
    return exe


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def port_in_use(host: str, port: int) -> bool:
    """Whether ``host:port`` cannot be bound (another program listens there)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        if os.name != "nt":     # connections of a stopped server linger in TIME_WAIT
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free on ``host`` right now (the OS picks it)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    return host in ("localhost", "::1") or host.startswith("127.")


def output_root(path: str | os.PathLike[str]) -> Path | None:
    """The build output folder of ``path`` (``out/`` or ``out/store``): the folder
    with ``report.json``, or None when ``path`` is no build output.

    >>> output_root("no/such/out") is None
    True
    """
    p = Path(path)
    for root in (p, p.parent) if p.name == "store" else (p,):
        if (root / "report.json").is_file() and (root / "store").is_dir():
            return root
    return None


def store_location(path: str | os.PathLike[str]) -> Path:
    """The store folder of a build output (``out/`` or ``out/store``)."""
    p = Path(path)
    store = p / "store" if (p / "store").is_dir() else p
    if not store.is_dir() or not (store / "CURRENT").is_file():
        raise ServeError(
            f"{p}: no store found (expected a build output folder with store/ inside); "
            f"run `policykg build … --out {p}` first")
    return store


class OxigraphServer:
    """An ``oxigraph`` server process on ``host:port`` over the store at ``location``.

    ``read_only`` (default) serves a built store while other processes read it too;
    ``read_only=False`` opens (or creates) a read-write store, e.g. to push into.
    Use as a context manager, or :meth:`start` / :meth:`stop`.
    """

    def __init__(self, location: str | os.PathLike[str], *, host: str = "127.0.0.1",
                 port: int = 7878, read_only: bool = True, union_default_graph: bool = True,
                 timeout_s: float | None = None) -> None:
        self.location = Path(location)
        self.host = host
        self.port = port
        self.read_only = read_only
        self.union_default_graph = union_default_graph
        self.timeout_s = timeout_s
        self.process: subprocess.Popen[bytes] | None = None
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None  # type: ignore[name-defined]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def bind(self) -> str:
        return self.url[len("http://"):]

    def command(self) -> list[str]:
        cmd = [find_oxigraph(), "serve-read-only" if self.read_only else "serve",
               "--location", str(self.location), "--bind", self.bind]
        if self.union_default_graph:
            cmd.append("--union-default-graph")
        if self.timeout_s:
            cmd += ["--timeout-s", str(int(self.timeout_s))]
        return cmd

    def start(self, *, ready_timeout: float = 30.0) -> OxigraphServer:
        """Start the server and return once it answers HTTP; raise :class:`ServeError`
        if the port is taken or the process exits."""
        if port_in_use(self.host, self.port):
            raise PortInUseError(self._port_taken())
        cmd = self.command()
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + ready_timeout
        while True:
            code = self.process.poll()
            if code is not None:
                log = self.log()
                self.process = None
                if "address already in use" in log.lower():
                    raise PortInUseError(self._port_taken())
                raise ServeError(f"the oxigraph server stopped at start-up (exit code {code}): "
                                 f"{log.strip() or 'no output'}")
            if self._answers():
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise ServeError(f"the oxigraph server did not answer on {self.url} within "
                                 f"{ready_timeout:g} s; see `{' '.join(cmd)}`")
            time.sleep(0.05)

    def _port_taken(self) -> str:
        return (f"{self.bind} is already in use (another server is listening there); "
                f"choose another port with --port, e.g. --port {self.port + 1}, "
                "or stop the other program")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/", timeout=1) as r:
                return r.status < 500
        except urllib.error.HTTPError:
            return True                     # it answered, with an error page
        except OSError:
            return False

    def log(self) -> str:
        """What the server printed so far."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def wait(self) -> int:
        """Block until the server exits (e.g. on Ctrl-C); its exit code."""
        assert self.process is not None, "start() the server first"
        return self.process.wait()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Ask the server to stop (SIGTERM: SIGINT may be ignored, as in a background
        job of a shell script), kill it if it does not."""
        p, self.process = self.process, None
        if p is not None and p.poll() is None:
            try:
                p.terminate()
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> OxigraphServer:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class OutputWatcher:
    """Tells when a build has swapped a new output folder in at ``root``.

    A build writes ``report.json`` into its staging folder and then renames the
    folder to ``root``: a complete new output shows as another ``root/report.json``
    file (another inode, or mtime) next to a ``store/CURRENT``. While the swap is
    under way (``root`` briefly missing) or ``root`` is gone, nothing has changed.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.seen = self.identity()

    def identity(self) -> tuple[int, ...] | None:
        """Which output is at ``root`` now (None: none complete)."""
        try:
            report = os.stat(self.root / "report.json")
            store = os.stat(self.root / "store")
            os.stat(self.root / "store" / "CURRENT")
        except OSError:
            return None
        return (report.st_dev, report.st_ino, report.st_mtime_ns, report.st_size, store.st_ino)

    def changed(self) -> bool:
        """Whether another complete output is in place than when last asked."""
        now = self.identity()
        if now is None or now == self.seen:
            return False
        self.seen = now
        return True

    def articles(self) -> int | None:
        """The number of articles in the current output's report, if readable."""
        try:
            return len(json.loads((self.root / "report.json").read_text("utf-8"))["articles"])
        except (OSError, ValueError, KeyError, TypeError):
            return None


class ReloadingServer:
    """A read-only :class:`OxigraphServer` over a build output that restarts on the
    new store after each rebuild (``policykg serve``), keeping its port.

    :meth:`run` serves until the server process exits by itself; Ctrl-C
    (:class:`KeyboardInterrupt`) passes through it: call :meth:`stop` then. A store
    that is no build output (no ``report.json`` beside it) is served without reloading.
    """

    def __init__(self, path: str | os.PathLike[str], *, host: str = "127.0.0.1",
                 port: int = 7878, timeout_s: float | None = None, poll_s: float = 1.0,
                 bind_tries: int = 40, bind_wait_s: float = 0.25) -> None:
        self.server = OxigraphServer(store_location(path), host=host, port=port,
                                     timeout_s=timeout_s)
        root = output_root(path)
        self.watcher = OutputWatcher(root) if root is not None else None
        self.poll_s, self.bind_tries, self.bind_wait_s = poll_s, bind_tries, bind_wait_s
        self.reloads = 0

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> ReloadingServer:
        self.server.start()
        return self

    def run(self, on_reload: Callable[[str], None] | None = None) -> int:
        """Serve, restarting after each rebuild (``on_reload`` gets a line saying so);
        return the exit code of a server process that stopped by itself."""
        while True:
            assert self.server.process is not None, "start() the server first"
            try:
                return self.server.process.wait(timeout=self.poll_s)
            except subprocess.TimeoutExpired:
                pass
            if self.watcher is not None and self.watcher.changed():
                self.reload()
                if on_reload is not None:
                    n = self.watcher.articles()
                    count = f"{n} article{'' if n == 1 else 's'}" if n is not None else "rebuilt"
                    on_reload(f"{time.strftime('%H:%M:%S')} reloaded: {self.watcher.root} was "
                              f"rebuilt ({count}); same URL")

    def reload(self) -> None:
        """Restart the server on the store now at its location, on the same port (the
        old process has just released it: binding is retried for a while)."""
        self.server.stop()
        for attempt in range(self.bind_tries):
            try:
                self.server.start()
                break
            except PortInUseError:
                if attempt == self.bind_tries - 1:
                    raise
                time.sleep(self.bind_wait_s)
        self.reloads += 1

    def log(self) -> str:
        return self.server.log()

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> ReloadingServer:
        return self.start() if self.server.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
