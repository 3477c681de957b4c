"""Pictures in an S3-compatible store (MEDIA_S3_BUCKET): moto's S3 server, started by the test on a free port."""

import io
import uuid

import boto3
import pytest
import sqlalchemy as sa
from moto.server import ThreadedMotoServer
from PIL import Image

from blog.extensions import db
from blog.models import MediaFile
from tests.app.test_pictures import only_media, picture_bytes, upload
from tests.helpers import free_port


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, monkeypatch, app):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    name = f"pictures-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    app.config.update(MEDIA_S3_BUCKET=name, MEDIA_S3_ENDPOINT_URL=s3_endpoint, MEDIA_S3_REGION="us-east-1")
    return client, name


def test_uploads_go_to_the_bucket_and_are_served_from_it(app, client, sign_in, bucket):
    s3, name = bucket
    sign_in("editor")
    assert upload(client, picture_bytes(size=(1000, 700))).status_code == 303
    item = only_media(app)
    with app.app_context():
        rows = db.session.execute(sa.select(MediaFile.key, MediaFile.data)).all()
    assert len(rows) == 3  # the original, 480 and 960
    assert all(data is None for _, data in rows)  # no bytes in the database
    stored = {obj["Key"] for obj in s3.list_objects_v2(Bucket=name)["Contents"]}
    assert stored == {f"media/{key}.webp" for key, _ in rows}
    head = s3.head_object(Bucket=name, Key=f"media/{item.original_key}.webp")
    assert (head["ContentType"], head["CacheControl"]) == ("image/webp", "public, max-age=31536000, immutable")
    served = client.get(f"/media/{item.original_key}.webp")  # read from the bucket and passed on
    assert served.status_code == 200
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.size == (1000, 700)


def test_a_replaced_photo_leaves_the_bucket(app, client, sign_in, bucket):
    from tests.app.test_profile import profile_form

    s3, name = bucket
    sign_in("author", name="Farid Mensah")
    for color in ((1, 2, 3), (200, 100, 50)):
        data = profile_form(client) | {"avatar": (io.BytesIO(picture_bytes(size=(300, 300), color=color)), "me.png")}
        assert client.post("/account/profile", data=data, content_type="multipart/form-data").status_code == 303
    with app.app_context():
        [key] = db.session.scalars(sa.select(MediaFile.key)).all()
    assert [obj["Key"] for obj in s3.list_objects_v2(Bucket=name)["Contents"]] == [f"media/{key}.webp"]
