"""The request log: one JSON line per request, with what an operator needs and no personal data, where
``REQUEST_LOG`` says; and the ``X-Request-ID`` on every response."""

import io
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from blog import create_app, requestlog
from tests.conftest import app_config
from tests.helpers import form_fields

FIELDS = {"time", "request_id", "method", "path", "status", "duration_ms"}
PRIVATE = "private.reader@example.net"


@pytest.fixture
def site(make_article, make_comment) -> str:
    article = make_article("Headers and tides", slug="tides")
    make_comment(article, body="A comment.")
    return "tides"


def request_lines(app) -> list[str]:
    path = Path(app.instance_path, "requests.log")
    return path.read_text().splitlines() if path.exists() else []


def test_each_response_names_its_request(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["X-Request-ID"]) == 32 and first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert (
        client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a9c01"}).headers["X-Request-ID"] == "nginx-4f2a9c01"
    )
    for forged in ("<script>", "a b c d e f g h", "x" * 65, "short"):
        replaced = client.get("/healthz", headers={"X-Request-ID": forged}).headers["X-Request-ID"]
        assert len(replaced) == 32 and replaced != forged


@pytest.mark.app_config(REQUEST_LOG="requests.log")
def test_one_json_line_per_request_without_personal_data(app, client, site):
    client.set_cookie("remembered", PRIVATE)
    page = client.get(f"/articles/tides?utm={PRIVATE}")
    data = form_fields(page.get_data(as_text=True))
    data.update(name="Logged Reader", email=PRIVATE, body="Hello from the quay.")
    posted = client.post(f"/articles/tides/comments?ref={PRIVATE}", data=data)
    assert page.status_code == 200 and posted.status_code == 303

    lines = request_lines(app)  # in the instance folder: the setting is a relative path
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == set(second) == FIELDS
    assert (first["method"], first["path"], first["status"]) == ("GET", "/articles/tides", 200)
    assert (second["method"], second["path"], second["status"]) == ("POST", "/articles/tides/comments", 303)
    assert [first["request_id"], second["request_id"]] == [page.headers["X-Request-ID"], posted.headers["X-Request-ID"]]
    assert isinstance(second["duration_ms"], float) and second["duration_ms"] >= 0
    logged_at = datetime.fromisoformat(second["time"])
    assert logged_at.utcoffset() == timedelta(0) and abs(logged_at - datetime.now(UTC)) < timedelta(minutes=1)
    text = "\n".join(lines)
    for private in ("private.reader", "utm", "ref=", "Logged Reader", "Hello from the quay", "remembered", "127.0.0.1"):
        assert private not in text, private


@pytest.mark.app_config(REQUEST_LOG="requests.log", WTF_CSRF_ENABLED=True)
def test_a_new_readers_article_page_is_logged_too(app, site):
    """An anonymous reader's shared page (no cookie, possibly from the cache): still one line, and the header."""
    response = app.test_client(use_cookies=False).get("/articles/tides", headers={"X-Request-ID": "edge-0123456789"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "edge-0123456789"
    (entry,) = [json.loads(line) for line in request_lines(app)]
    assert (entry["request_id"], entry["path"], entry["status"]) == ("edge-0123456789", "/articles/tides", 200)


@pytest.mark.app_config(REQUEST_LOG="requests.log")
def test_request_lines_escape_what_the_path_holds(app, client):
    client.get('/no/such/"page"\\/caf%C3%A9/%FF')
    (entry,) = [json.loads(line) for line in request_lines(app)]
    assert entry["path"] == '/no/such/"page"\\/café/\ufffd' and entry["status"] == 404


@pytest.mark.parametrize("propagate", [False, True], ids=["error page", "exception escapes"])
@pytest.mark.app_config(REQUEST_LOG="requests.log")
def test_a_failing_request_is_logged_as_a_500(app, client, monkeypatch, propagate):
    def broken():
        raise RuntimeError("the view broke")

    monkeypatch.setitem(app.view_functions, "public.healthz", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = propagate  # off in production: Flask answers with its 500 page
    if propagate:
        with pytest.raises(RuntimeError):
            client.get("/healthz")
    else:
        response = client.get("/healthz")
        assert response.status_code == 500 and len(response.headers["X-Request-ID"]) == 32
    (entry,) = [json.loads(line) for line in request_lines(app)]
    assert (entry["path"], entry["status"]) == ("/healthz", 500)


@pytest.mark.app_config(REQUEST_LOG="requests.log")
def test_no_lines_while_silenced(app, client):
    with requestlog.silenced(app):
        client.get("/healthz")
    client.get("/healthz")
    assert len(request_lines(app)) == 1


@pytest.mark.app_config(REQUEST_LOG="no/such/folder/requests.log")
def test_a_log_that_cannot_be_written_loses_lines_not_responses(client, capsys):
    assert [client.get("/healthz").status_code for _ in range(3)] == [200, 200, 200]
    assert "requests.log" in capsys.readouterr().err  # logging reports it on stderr


# The apps below are made in the test itself, while ``capsys`` holds stdout: a handler keeps the stream it got.


def test_a_dash_writes_the_lines_to_stdout_alone(capsys, tmp_path):
    app = create_app(app_config(REQUEST_LOG="-"), instance_path=str(tmp_path))
    other_logs = logging.StreamHandler(io.StringIO())  # where the app's other messages go: gunicorn's stderr
    logging.getLogger().addHandler(other_logs)
    try:
        response = app.test_client().get("/healthz")
    finally:
        logging.getLogger().removeHandler(other_logs)
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["request_id"] == response.headers["X-Request-ID"]
    assert other_logs.stream.getvalue() == ""  # not repeated there


def test_without_a_request_log_setting_nothing_is_written(capsys, tmp_path):
    app = create_app(app_config(), instance_path=str(tmp_path))
    assert app.config["REQUEST_LOG"] is None
    assert app.test_client().get("/healthz").status_code == 200
    captured = capsys.readouterr()
    assert captured.out == "" and "request" not in captured.err
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]
