"""Shared fixtures: a temporary data folder, an opened store, and a deck-writing helper."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from backends import open_test_engine
from sqlalchemy import Engine


@pytest.fixture
def tmp_home(tmp_path: Path) -> Path:
    """An empty data folder (not created yet: the code under test makes it)."""
    return tmp_path / "home"


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--backend", choices=("sqlite", "postgresql"),
        default=os.environ.get("STUDYAWS_TEST_BACKEND", "sqlite"),
        help="the store the backend-aware tests open (tests/backends.py): sqlite (default) "
             "or postgresql (a throwaway cluster is started, or $STUDYAWS_TEST_DB is used)")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a PostgreSQL server the tests may create databases on: $STUDYAWS_TEST_DB,
    else a throwaway cluster (tests/pg_cluster.py) stopped at the end of the run."""
    if os.environ.get("STUDYAWS_TEST_DB"):
        yield os.environ["STUDYAWS_TEST_DB"]
        return
    from pg_cluster import Cluster, server_bin

    if server_bin() is None:
        pytest.skip("no PostgreSQL server on this machine (apt-get install postgresql)")
    with Cluster() as cluster:
        yield cluster.url


@pytest.fixture
def pg_database(pg_server) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    import backends

    with backends.postgres_databases(pg_server):
        yield backends.empty_database()


@pytest.fixture(autouse=True)
def _backend(request) -> Iterator[None]:
    """Each test's collections on the chosen backend: a fresh PostgreSQL database per
    collection with --backend postgresql (tests/backends.py), dropped after the test."""
    import backends

    if request.config.getoption("--backend") != "postgresql":
        yield
        return
    with backends.postgres_databases(request.getfixturevalue("pg_server")):
        yield


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A store opened on a fresh collection: a SQLite file in a temporary folder, or a fresh
    PostgreSQL database with --backend postgresql."""
    eng = open_test_engine(tmp_path / "store" / "studyaws.sqlite3")
    yield eng
    eng.dispose()


@pytest.fixture
def write_deck(tmp_path: Path) -> Callable[[str, str], Path]:
    """write_deck(name, text) writes a deck file under tmp_path/decks and returns its path.
    `name` may hold sub-folders; `.md` is added when missing."""
    root = tmp_path / "decks"

    def write(name: str, text: str) -> Path:
        path = root / (name if name.endswith(".md") else f"{name}.md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


# Modules whose tests each take seconds: a subprocess or a full app per case, large data,
# simulations of months of study, Hypothesis over whole documents. `pytest -m "not slow"`
# leaves them (and every pseudo-terminal test) out; CI runs everything.
SLOW_MODULES = {
    "test_architecture", "test_ascii_locale", "test_backup", "test_bad_environment",
    "test_block_scanner", "test_cli", "test_clock_extremes", "test_concurrency",
    "test_control_characters", "test_crash", "test_e2e_pty", "test_exchange",
    "test_fuzz_import_render", "test_import_size", "test_input_files", "test_matching_rules",
    "test_optimizer", "test_output_paths", "test_parser_fuzz", "test_reimport_matching",
    "test_import_domains", "test_readiness_calibration", "test_restore_backup",
    "test_restore_recovery",
    "test_restore_validation",
    "test_scenarios_properties", "test_stats_cli", "test_tui_sizes",
    # whole commands in a subprocess, snapshots at two sizes, and the longer Pilot walks
    "test_check_cli", "test_config_cli", "test_json_cli", "test_exam_snapshots",
    "test_tui_exam_flow", "test_tui_stats",
    # fits and simulated years on real collections (issue 19: retention, refit, time series)
    "test_retention",
    # several studyaws processes on one PostgreSQL database
    "test_two_machines",
}


# With --backend postgresql, the modules that run (on PostgreSQL): those whose collections
# are opened through tests/backends.py and pass there. Tests in them that are about SQLite
# itself carry @pytest.mark.sqlite_only, and those that do not pass there yet
# @pytest.mark.postgres_pending(reason). The commands they run are given the test's
# database (backends.cli_env: STUDYAWS_DB, backends.db_args: --db).
# Left out, and why: about SQLite itself: its files, copies, WAL and locks
# (test_backup, test_restore_backup, test_restore_recovery, test_restore_validation,
# test_concurrency, test_output_paths, test_store_schema, test_bad_environment), its FTS5
# index (test_search_index), the light first-card path (test_first_card,
# test_first_card_app, test_startup_imports); PostgreSQL's own, run in every run with a
# cluster of their own (test_two_machines, test_connection_lost); no collection, or one
# only as a place to write (the parsers, scenarios, check, serve, test_ascii_locale,
# test_input_files, test_import_size, test_clock_extremes); and, for the run's time, the
# pseudo-terminal and Hypothesis modules over whole sessions (test_e2e_pty,
# test_fuzz_import_render) and the screen snapshots at several sizes (test_snapshots,
# test_exam_snapshots, test_tui_sizes).
POSTGRES_MODULES = {
    "test_postgres", "test_review_service", "test_exam_flow", "test_exam_pool",
    "test_stats", "test_importer", "test_search_store", "test_deck_tree", "test_exam_core",
    "test_exam_domains", "test_exam_plan", "test_exam_plan_smooth", "test_flags",
    "test_import_banks", "test_load_balance", "test_scheduler_bugs", "test_study_more",
    "test_time", "test_decks_manage", "test_tui_review", "test_tui_exam",
    "test_tui_exam_flow", "test_optimizer", "test_exam_cli", "test_day_counts",
    # the app under Pilot, the services and the CLI on a collection of the chosen backend
    "test_footer", "test_help", "test_kept_counts", "test_question_input", "test_tui_modals",
    "test_tui_settings", "test_tui_stats", "test_retention", "test_touch", "test_search_tui",
    "test_tui_keys", "test_readiness_calibration", "test_bundled_decks", "test_browse_actions",
    "test_tui_import", "test_tui_import_screen",
    # the commands in a subprocess, with STUDYAWS_DB (or --db) naming the test's database
    "test_cli", "test_search_cli", "test_json_cli", "test_config_cli", "test_stats_cli",
    "test_layout", "test_presets", "test_preset_parameters", "test_exchange",
    "test_edit_at_source", "test_images", "test_import_domains", "test_reimport_matching",
    "test_control_characters", "test_crash",
}


def pytest_collection_modifyitems(config, items) -> None:
    if config.getoption("--backend") == "postgresql":
        # The snapshot tests (TUI) are not in this run: their snapshots go unused, which
        # syrupy counts as a failure unless told it is expected.
        config.option.warn_unused_snapshots = True
        kept, left = [], []
        for item in items:
            module = item.module.__name__.rsplit(".", 1)[-1]
            on_pg = (module in POSTGRES_MODULES and not item.get_closest_marker("sqlite_only")
                     and not item.get_closest_marker("postgres_pending"))
            (kept if on_pg else left).append(item)
        if left:
            config.hook.pytest_deselected(items=left)
            items[:] = kept
    for item in items:
        function = getattr(item, "function", None)
        try:
            source = inspect.getsource(function) if function is not None else ""
        except (OSError, TypeError):
            source = ""
        if "Terminal(" in source:
            item.add_marker(pytest.mark.pty)
            item.add_marker(pytest.mark.slow)
        if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
