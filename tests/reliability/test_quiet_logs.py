"""A worker at log level warning logs warnings and errors only: faust's terminal spinner, which
would set the root logger to DEBUG, is off."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable

import pytest

from schemas import Article
from streams.settings import Settings
from streams.worker.app import create_app
from streams.worker.runner import build_worker
from tests.integration.workers import WorkerProcess
from tests.reliability.badinput import good_article
from tests.reliability.support import drained, produce_paced, settings_for, wait_for


class _Untagged:
    version = "none"


@pytest.mark.parametrize("level", ["warning", "error", "info"])
def test_the_worker_leaves_the_root_logger_at_the_level_asked_for(level: str) -> None:
    gp = create_app(Settings(kafka_bootstrap="127.0.0.1:9", app_id="quiet"), tagger=_Untagged())
    worker = build_worker(gp, level)
    root = logging.Logger("root-probe")
    root.addHandler(logging.NullHandler())
    wanted = logging.getLevelName(level.upper())
    root.setLevel(wanted)
    worker.on_setup_root_logger(root, wanted)
    assert worker.spinner is None
    assert (root.level, len(root.handlers)) == (wanted, 1)


@pytest.mark.integration
def test_a_warning_level_worker_writes_no_info_or_debug_records(
    start_worker: Callable[..., WorkerProcess], bootstrap: str
) -> None:
    app_id = "quiet"
    settings = settings_for(bootstrap, app_id)
    worker = start_worker(app_id, log_level="warning")
    rng = random.Random(5)
    produce_paced(settings, [Article.model_validate(good_article(n, rng, prefix="quiet")) for n in range(40)], 40.0)
    wait_for(drained(settings), 60, "the worker drains the articles")
    assert worker.stop() == 0
    log = worker.log_path.read_text(errors="replace")
    noisy = [line for line in log.splitlines() if re.search(r"\[(DEBUG|INFO)\]", line)]
    assert noisy == [], "\n".join(noisy[:20])
