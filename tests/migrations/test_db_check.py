"""``flask db upgrade`` then ``flask db check`` from the command line, as a deploy runs them: the
migrations leave nothing for autogenerate to find, on SQLite and on PostgreSQL."""

import subprocess
import sys

import pytest

from tests.system.cluster import node_env


def flask_db(command: str, database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "blog", "db", command],
        env=node_env(database_url),
        check=False,
        text=True,
        capture_output=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_flask_db_check_finds_nothing_to_migrate(request, tmp_path, backend):
    url = f"sqlite:///{tmp_path}/checked.sqlite3" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    upgraded = flask_db("upgrade", url)
    assert upgraded.returncode == 0, upgraded.stderr
    checked = flask_db("check", url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No new upgrade operations detected." in checked.stdout + checked.stderr
