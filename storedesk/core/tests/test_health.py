"""GET /healthz tells the truth about the database and the queue.

The failure cases use real unreachable things: a connection to a closed port or an unopenable
SQLite file, a Redis queue on a closed port, and a real `storedesk serve` started with them.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler
from django.test import Client
from huey import RedisHuey, SqliteHuey

from storedesk.core.health import check_database, check_queue
from storedesk.tests.processes import child_env, free_port, server

CLOSED = "127.0.0.1:1"  # nothing listens on port 1 here


def broken_connection(tmp_path):
    """A second, real Django connection that cannot reach its database."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings.update(HOST="127.0.0.1", PORT="1", NAME="nowhere",
                        OPTIONS={"connect_timeout": 3})
    else:
        settings.update(NAME=str(tmp_path / "missing-dir" / "db.sqlite3"), OPTIONS={})
    handler = ConnectionHandler({"default": settings, "broken": settings})
    return handler["broken"]


@pytest.mark.django_db
def test_healthz_reports_ok_when_database_and_queue_answer() -> None:
    # given the configured database and queue (SQLite + Huey on SQLite, or PostgreSQL + Redis)
    # when a load balancer asks for health
    response = Client().get("/healthz")

    # then everything is ok
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok", "cache": "ok",
                               "realtime": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_changes_nothing_so_it_only_answers_get() -> None:
    response = Client().post("/healthz")
    assert response.status_code == 405


@pytest.mark.django_db
def test_the_database_check_answers_ok_on_the_real_connection() -> None:
    assert check_database(connection) == "ok"


def test_the_database_check_reports_an_unreachable_database(tmp_path) -> None:
    # given a connection to a database that is not there
    broken = broken_connection(tmp_path)
    try:
        # when it is checked, then it says so instead of raising
        assert check_database(broken) == "error"
    finally:
        broken.close()


def test_the_queue_check_reports_an_unreachable_redis() -> None:
    # given a Redis-backed queue whose server is not there
    huey = RedisHuey("health-probe", url=f"redis://{CLOSED}/0")
    # then the check reports the error
    assert check_queue(huey) == "error"


def test_the_queue_check_reports_an_unopenable_sqlite_queue(tmp_path) -> None:
    # given a SQLite queue in a directory that does not exist
    huey = SqliteHuey("health-probe", filename=str(tmp_path / "missing-dir" / "queue.db"),
                      create_tables=False)
    # then the check reports the error
    assert check_queue(huey) == "error"


def test_the_queue_check_answers_ok_on_a_working_queue(tmp_path) -> None:
    huey = SqliteHuey("health-probe", filename=str(tmp_path / "queue.db"))
    assert check_queue(huey) == "ok"
    assert check_queue() == "ok"  # the configured one


# --- A real server with a broken dependency -------------------------------------------------


def test_a_server_whose_database_is_down_answers_503(tmp_path) -> None:
    # given `storedesk serve` configured with a PostgreSQL server that is not listening
    port = free_port()
    env = child_env(tmp_path / "data", DATABASE_URL=f"postgres://postgres@{CLOSED}/storedesk",
                    REDIS_URL=None)
    with server(["serve", "--port", str(port)], env, tmp_path / "serve.log") as child:
        # when the health endpoint is asked
        response = child.wait_for(f"http://127.0.0.1:{port}/healthz", expect_any_status=True)

        # then it says the database is down and the queue is fine
        assert response.status_code == 503
        assert response.json() == {"status": "error", "database": "error", "queue": "ok",
                                   "cache": "ok", "realtime": "ok"}
        assert child.interrupt() == 0


def test_a_server_whose_sqlite_file_cannot_be_opened_answers_503(tmp_path) -> None:
    # given `storedesk serve` on the embedded profile whose database file cannot be opened
    port = free_port()
    env = child_env(tmp_path / "data",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}",
                    REDIS_URL=None)
    with server(["serve", "--port", str(port)], env, tmp_path / "serve.log") as child:
        response = child.wait_for(f"http://127.0.0.1:{port}/healthz", expect_any_status=True)

        assert response.status_code == 503
        assert response.json()["database"] == "error"


def test_a_server_whose_redis_is_down_is_degraded_and_names_the_parts(tmp_path) -> None:
    # given `storedesk serve` with a working database but a Redis queue that is not there
    port = free_port()
    env = child_env(tmp_path / "data", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                    REDIS_URL=f"redis://{CLOSED}/0")
    with server(["serve", "--port", str(port)], env, tmp_path / "serve.log") as child:
        # when the health endpoint is asked
        response = child.wait_for(f"http://127.0.0.1:{port}/healthz", expect_any_status=True)

        # then it names every Redis-backed part, and keeps the node in the load balancer
        assert response.status_code == 200
        assert response.json() == {"status": "degraded", "database": "ok", "queue": "error",
                                   "cache": "error", "realtime": "error"}
        # while a strict probe (monitoring) counts it as down
        strict = child.wait_for(f"http://127.0.0.1:{port}/healthz?strict=1",
                                expect_any_status=True)
        assert strict.status_code == 503 and strict.json()["status"] == "error"
