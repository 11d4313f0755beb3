"""Every way a first-hour user can get the `geopulse` command wrong ends in one line and a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from streams import __version__
from streams.broker import free_port
from tests.conftest import SEED_PAGE
from tests.test_cli import run


def one_line_failure(code: int, err: str) -> str:
    """The single stderr line of a failed command (asserting there is one, and no traceback)."""
    assert code != 0, err
    assert "Traceback" not in err and err.strip().count("\n") == 0, err
    return err.strip()


@pytest.mark.parametrize("command", ["tag", "replay", "produce"])
def test_a_missing_input_file_is_one_line(command: str) -> None:
    env = {"GEOPULSE_KAFKA_BOOTSTRAP": f"127.0.0.1:{free_port()}"} if command == "produce" else {}
    code, _, err = run(command, "missing.jsonl", env=env)
    assert "cannot" in one_line_failure(code, err)
    if command != "produce":  # produce connects first: with no broker there, that is what it says
        assert err.strip() == "geopulse: cannot read missing.jsonl: No such file or directory"


def test_a_directory_given_as_input_is_one_line() -> None:
    code, _, err = run("tag", "tests")
    assert "cannot read tests: Is a directory" in one_line_failure(code, err)


@pytest.mark.parametrize("command", [["worker"], ["produce", "-"], ["tail", "articles"]])
def test_a_bootstrap_that_is_not_host_port_is_one_line_naming_the_variable(command: list[str]) -> None:
    code, _, err = run(*command, env={"GEOPULSE_KAFKA_BOOTSTRAP": "localhost:notaport"})
    line = one_line_failure(code, err)
    assert "GEOPULSE_KAFKA_BOOTSTRAP" in line and "'localhost:notaport'" in line and "host:port" in line


@pytest.mark.parametrize("command", [["produce", "-"], ["tail", "articles"]])
def test_an_unreachable_broker_is_one_line_naming_it(command: list[str]) -> None:
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    code, _, err = run(*command, env={"GEOPULSE_KAFKA_BOOTSTRAP": address}, stdin=b'{"id": "a"}\n')
    line = one_line_failure(code, err)
    assert line == f"geopulse: cannot reach Kafka at {address} (PLAINTEXT): no answer in 5s"


def test_a_bad_flag_value_names_the_flag_without_pydantic_prefixes() -> None:
    code, _, err = run("replay", "--window", "7x", "-")
    line = one_line_failure(code, err)
    assert line == "geopulse: bad setting: --window: duration '7x' is not like 90s, 15m, 1h, 6h, 1d or 1h30m"


def test_a_bad_environment_value_names_the_variable() -> None:
    code, _, err = run("replay", "-", env={"GEOPULSE_GRACE": "soon"})
    assert "GEOPULSE_GRACE: duration 'soon'" in one_line_failure(code, err) and "Value error" not in err


def test_a_raw_page_read_as_jsonl_gets_a_hint_once() -> None:
    code, out, err = run("tag", str(SEED_PAGE))
    assert code == 1 and out == "" and "Traceback" not in err
    assert err.count("--format text") == 1 and err.count("invalid_json") >= 10


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.strip() == f"geopulse {__version__}"


def test_a_reader_that_closes_the_pipe_early_ends_the_command_quietly() -> None:
    """`geopulse tag ... | head -1`: exit 0 and nothing on stderr, like a command the reader has had enough of."""
    command = [sys.executable, "-m", "streams", "tag", "-j", "1", "tests/data/devset.jsonl"]  # ~0.5 MB out
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = orjson.loads(proc.stdout.readline())
        proc.stdout.close()  # the reader goes; the pipe holds far less than the rest
        err = proc.stderr.read()
        code = proc.wait(120)
    assert first["id"] and (code, err.decode()) == (0, "")


@pytest.mark.parametrize("command", ["tag", "replay"])
def test_a_broken_gzip_archive_is_one_line(command: str, tmp_path: Path) -> None:
    import gzip

    packed = gzip.compress(b'{"id": "a"}\n' * 2000)
    broken = tmp_path / "cut.jsonl.gz"
    broken.write_bytes(packed[: len(packed) // 2])  # an archive cut short in transfer
    code, _, err = run(command, str(broken))
    assert one_line_failure(code, err).startswith(f"geopulse: cannot read {broken}: broken gzip data")
