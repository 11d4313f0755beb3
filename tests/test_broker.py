"""`geopulse broker` on a port another process holds: one line and a non-zero exit, not a false "listening"."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from streams.broker import LocalBroker
from streams.errors import BrokerError

REPO = Path(__file__).resolve().parents[1]


def test_the_broker_command_fails_with_one_line_when_its_port_is_taken() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "streams", "broker", "--port", str(port)],
            capture_output=True, text=True, timeout=60, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        )  # fmt: skip
    assert done.returncode != 0
    assert "listening" not in done.stdout
    assert done.stderr.strip() == (
        f"geopulse: port {port} on 127.0.0.1 is taken (Address already in use); pick another with --port"
    )


def test_a_local_broker_refuses_a_taken_port_before_starting_anything(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        broker = LocalBroker(port=holder.getsockname()[1], log_dir=tmp_path)
        with pytest.raises(BrokerError, match="is taken"):
            broker.start()
        assert not broker.running and not (tmp_path / "broker.log").exists()
