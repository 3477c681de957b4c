"""Pictures need no shared disk: an editor uploads on node A (its worker makes the variants), and node B, a
separate gunicorn on the same PostgreSQL with its own instance folder and queue, serves every file."""

import hashlib
import http.client
import io

import sqlalchemy as sa
from PIL import Image
from urllib3 import encode_multipart_formdata

from blog.extensions import db
from blog.models import Media, MediaFile
from blog.services import users
from tests.conftest import postgres_url_or_skip
from tests.helpers import form_fields
from tests.system.cluster import Browser, Node, migrated_database, node_env, running
from tests.system.test_worker import start_worker, stop_worker, wait_for

PASSWORD = "a long system test password"


def post_multipart(browser: Browser, path: str, fields: dict) -> int:
    body, content_type = encode_multipart_formdata(fields)
    headers = {"Content-Type": content_type, "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items())}
    conn = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=60)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_a_picture_uploaded_on_one_node_is_served_by_another(tmp_path):
    pg = postgres_url_or_skip()
    envs = [
        node_env(
            pg,
            BLOG_JOBS_SQLITE_PATH=str(tmp_path / f"jobs-{n}.sqlite3"),  # a queue of its own: nothing shared but PG
            BLOG_AVATAR_FOLDER=str(tmp_path / f"disk-{n}"),
        )
        for n in "ab"
    ]
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (20, 90, 160)).save(out, "JPEG")
    worker = None
    with migrated_database(pg, tmp_path) as app:
        with app.app_context():
            users.create_user(email="eda@example.org", name="Eda Editor", role="editor", password=PASSWORD)
            db.session.commit()
        nodes = [Node(env, tmp_path / f"logs-{n}", workers=1, threads=2) for env, n in zip(envs, "ab", strict=True)]
        try:
            with running(*nodes) as (a, b):
                worker = start_worker(envs[0], tmp_path / "logs-a")
                editor = Browser(a.port)
                token = form_fields(editor.get("/login").text, "//form[@method='post']")["csrf_token"]
                signed_in = editor.request(
                    "POST", "/login", form={"email": "eda@example.org", "password": PASSWORD, "csrf_token": token}
                )
                assert signed_in.status == 303
                page = editor.get("/editorial/media")
                token = form_fields(page.text, "//form[@enctype='multipart/form-data']")["csrf_token"]
                fields = {
                    "csrf_token": token,
                    "alt_text": "The harbour at dawn",
                    "image": ("harbour.jpg", out.getvalue(), "image/jpeg"),
                }
                assert post_multipart(editor, "/editorial/media", fields) == 303

                def variants():
                    with app.app_context():
                        return db.session.scalar(sa.select(Media.variants))

                made = wait_for(lambda: len(variants() or []) == 2 and variants(), what="node A's worker")
                with app.app_context():
                    stored = dict(db.session.execute(sa.select(MediaFile.key, MediaFile.data)).all())
                assert len(stored) == 3
                assert {key for _, key in made} < stored.keys()
                for key, data in stored.items():  # fetched from node B, which never saw the upload
                    conn = http.client.HTTPConnection("127.0.0.1", b.port, timeout=30)
                    try:
                        conn.request("GET", f"/media/{key}.webp")
                        served = conn.getresponse()
                        raw = served.read()
                    finally:
                        conn.close()
                    assert served.status == 200
                    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
                    assert served.headers["Content-Type"] == "image/webp"
                    assert hashlib.sha256(raw).hexdigest() == key == hashlib.sha256(bytes(data)).hexdigest()
        finally:
            if worker is not None:
                assert stop_worker(worker) == 0
    assert not any((tmp_path / f"disk-{n}").exists() for n in "ab")  # no node wrote a picture to its disk
