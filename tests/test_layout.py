"""Architecture rules that a reviewer would otherwise have to remember.

The house, from the ground up: `schemas` and `streams/core` (pure); `streams/notify` (webhook
delivery, no Kafka) and the shared `settings`, `errors`, `metrics`; `streams/worker` (the
Kafka/faust side); then the entry points: `streams/offline.py` (replay), `streams/demo`,
`streams/cli.py`. Imports only go down.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "streams"
CORE = SRC / "core"
FORBIDDEN = {"faust", "aiokafka", "kafka", "aiohttp", "httpx", "prometheus_client", "mode"}

ENTRY_POINTS = ("streams.cli", "streams.__main__", "streams.offline", "streams.demo")
SHARED = ("streams.settings", "streams.errors", "streams.metrics", "streams.inputs", "streams.broker")
# part of the house -> what it may never import (or, for the core, everything but what it may)
NEVER = {
    "streams.worker": (*ENTRY_POINTS, "streams.core.replay"),
    "streams.notify": ("streams.worker", *ENTRY_POINTS),
    **{shared: ("streams.worker", *ENTRY_POINTS) for shared in SHARED},
}
CORE_MAY_IMPORT = ("streams.core", "streams.errors")


def module_of(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_of(p): p for p in sorted(SRC.rglob("*.py"))}


def within(name: str, part: str) -> bool:
    return name == part or name.startswith(part + ".")


def imported_modules(path: Path) -> set[str]:
    """Every module of this tree that `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from streams.worker import stages` imports the module streams.worker.stages
            found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module
                      for a in node.names}  # fmt: skip
    return {name for name in found if name in MODULES}


def top_level_packages(path: Path) -> set[str]:
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    return imported


PURE = [*sorted(CORE.rglob("*.py")), SRC / "worker" / "stages.py"]  # the stages run without faust or a broker


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(SRC)))
def test_core_and_stages_import_no_kafka_http_or_metrics(path: Path) -> None:
    imported = top_level_packages(path)
    assert not imported & FORBIDDEN, f"{path.name} imports {imported & FORBIDDEN}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_only_go_down_the_house(name: str) -> None:
    imported = imported_modules(MODULES[name])
    if within(name, "streams.core"):
        wrong = {m for m in imported if not any(within(m, part) for part in CORE_MAY_IMPORT)}
    else:
        never = [ban for part, bans in NEVER.items() if within(name, part) for ban in bans]
        wrong = {m for m in imported if any(within(m, ban) for ban in never)}
    assert not wrong, f"{name} imports {sorted(wrong)}"


def test_no_module_imports_itself_through_others() -> None:
    graph = {name: imported_modules(path) - {name} for name, path in MODULES.items()}
    circles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        for nxt in sorted(graph[name]):
            if nxt in trail:
                circles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in done:
                visit(nxt, [*trail, nxt])
        done.add(name)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    assert not circles, " ; ".join(" -> ".join(c) for c in circles)
