"""Authors manage their own bio page and photo; nobody else's (admins excepted)."""

import io
import os

import pytest
import sqlalchemy as sa
from PIL import Image

from blog.extensions import db
from blog.models import Media, MediaFile, User
from tests.helpers import page_text, parse


def image_bytes(fmt: str, size=(600, 400), color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def post_upload(client, url: str, data: dict):
    """POST multipart data; big bodies are spooled by the test client to a temp file we must close."""
    response = client.post(url, data=data, content_type="multipart/form-data")
    response.request.environ["wsgi.input"].close()
    return response


def profile_form(client, url="/account/profile") -> dict:
    doc = parse(client.get(url))
    form = doc.xpath("//form[@enctype='multipart/form-data']")[0]
    data = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@type!='file' and @type!='checkbox']")}
    data["bio"] = (form.xpath(".//textarea[@name='bio']/text()") or [""])[0].strip()
    return data


@pytest.fixture
def author(app, sign_in, make_article):
    user_id = sign_in("author", name="Farid Mensah")
    make_article("Rovers win the cup", slug="rovers", author_id=user_id)
    return user_id


def test_edit_bio_and_see_it_on_author_page_and_bio_box(app, client, author):
    data = profile_form(client) | {
        "display_name": "Farid K. Mensah",
        "bio": "Covers *sport*.\n\n<script>x()</script>",
        "website": "https://farid.example",
        "mastodon": "https://social.example/@farid",
    }
    response = client.post("/account/profile", data=data)
    assert response.status_code == 303
    author_page = parse(client.get("/authors/farid-mensah"))  # the slug is stable across renames
    assert author_page.xpath("//h1/text()") == ["Farid K. Mensah"]
    assert author_page.xpath("//div[@class='profile-bio']//em/text()") == ["sport"]
    links = author_page.xpath("//ul[@class='profile-links']//a")
    assert [(a.text, a.get("href"), a.get("rel")) for a in links] == [
        ("Website", "https://farid.example", "me noopener"),
        ("Mastodon", "https://social.example/@farid", "me noopener"),
    ]
    assert "x()" not in page_text(client.get("/authors/farid-mensah")) or not author_page.xpath("//script")
    box = parse(client.get("/articles/rovers")).xpath("//aside[@class='author-box']")[0]
    assert box.xpath(".//em/text()") == ["sport"]
    assert box.xpath(".//h2/a/text()") == ["Farid K. Mensah"]
    with app.app_context():
        user = db.session.get(User, author)
        assert user.social_links == {"mastodon": "https://social.example/@farid"}
        assert "<script>" not in user.bio_html


def test_preview_does_not_save(app, client, author):
    data = profile_form(client) | {"bio": "Draft **bold** bio", "action": "preview"}
    response = client.post("/account/profile", data=data)
    assert response.status_code == 200
    assert parse(response).xpath("//div[@class='preview']//strong/text()") == ["bold"]
    with app.app_context():
        assert db.session.get(User, author).bio_markdown == ""


def test_forged_user_id_is_refused_and_changes_nothing(app, client, author, make_user):
    other = make_user("Someone Else", role="author")
    data = profile_form(client) | {"user_id": str(other), "display_name": "Hijacked"}
    assert client.post("/account/profile", data=data).status_code == 403
    assert client.get(f"/editorial/users/{other}/profile").status_code == 403
    assert client.post(f"/editorial/users/{other}/profile", data=data).status_code == 403
    with app.app_context():
        assert {u.display_name for u in db.session.scalars(sa.select(User))} == {"Farid Mensah", "Someone Else"}


def test_admin_edits_anyones_profile(app, client, sign_in, make_user):
    other = make_user("Ruth Calloway", role="author")
    sign_in("admin")
    data = profile_form(client, f"/editorial/users/{other}/profile") | {"bio": "Edited by an admin."}
    assert client.post(f"/editorial/users/{other}/profile", data=data).status_code == 303
    with app.app_context():
        assert db.session.get(User, other).bio_html == "<p>Edited by an admin.</p>"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_avatar_upload_is_reencoded_resized_and_served(app, client, author, fmt):
    data = profile_form(client) | {"avatar": (io.BytesIO(image_bytes(fmt)), f"me.{fmt.lower()}")}
    response = client.post("/account/profile", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    box = parse(client.get("/articles/rovers")).xpath("//aside[@class='author-box']//img")[0]
    assert box.get("alt") == "Photo of Farid Mensah"
    src = box.get("src")
    assert parse(client.get("/authors/farid-mensah")).xpath("//header[@class='profile']//img/@src") == [src]
    served = client.get(src)
    assert served.status_code == 200
    assert served.mimetype == "image/webp"
    assert "immutable" in served.headers["Cache-Control"]
    with Image.open(io.BytesIO(served.data)) as image:
        assert (image.format, image.size) == ("WEBP", (256, 256))
    served.close()


def stored_files(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(MediaFile.key)))


def test_new_avatar_replaces_the_old_file(app, client, author):
    """The photo lives in the database (every node reaches it); the old one goes when a new one comes."""
    for color in ((1, 2, 3), (200, 100, 50)):
        data = profile_form(client) | {"avatar": (io.BytesIO(image_bytes("PNG", color=color)), "me.png")}
        assert client.post("/account/profile", data=data, content_type="multipart/form-data").status_code == 303
    [key] = stored_files(app)
    with app.app_context():
        assert db.session.get(User, author).avatar_path == f"{key}.webp"
    data = profile_form(client) | {"remove_avatar": "y"}
    assert client.post("/account/profile", data=data).status_code == 303
    assert stored_files(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Media)) == 0
    assert parse(client.get("/authors/farid-mensah")).xpath("//header[@class='profile']//img") == []
    assert client.get(f"/media/{key}.webp").status_code == 404


@pytest.mark.parametrize(
    ("upload", "status", "message"),
    [
        ((b"just some text, not an image", "photo.png"), 422, "not an image we can read"),
        ((b"GIF89a" + b"\x00" * 50, "photo.gif"), 422, "not an image we can read"),
    ],
)
def test_fake_images_are_refused(app, client, author, upload, status, message):
    data = profile_form(client) | {"display_name": "Changed Name", "avatar": (io.BytesIO(upload[0]), upload[1])}
    response = client.post("/account/profile", data=data, content_type="multipart/form-data")
    assert response.status_code == status
    assert message in page_text(response)
    with app.app_context():
        user = db.session.get(User, author)
        assert (user.avatar_path, user.display_name) == (None, "Farid Mensah")  # nothing partly saved


@pytest.mark.app_config(MEDIA_MAX_UPLOAD_BYTES=5 * 1024 * 1024)
def test_oversized_image_is_refused_and_the_bio_kept(app, client, author):
    """A 6.9 MB photo (over the 4 MB site-wide request limit, under the form's own) gets the form again, with
    a message about the photo and the unsaved bio still there: not "ERROR 413" about comments."""
    big = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))  # noise does not compress
    out = io.BytesIO()
    big.save(out, "BMP")
    noise = out.getvalue() + os.urandom(1_350_000)
    assert 6.5 * 1024 * 1024 < len(noise) < 7.5 * 1024 * 1024
    data = profile_form(client) | {"bio": "Unsaved words about me.", "avatar": (io.BytesIO(noise), "big.png")}
    response = post_upload(client, "/account/profile", data)
    assert response.status_code == 422
    doc = parse(response)
    assert "That image is 6.9 MB; the limit is 5 MB" in page_text(response)
    assert doc.xpath("//textarea[@name='bio']/text()")[0].strip() == "Unsaved words about me."


@pytest.mark.app_config(MEDIA_REQUEST_MAX_BYTES=5 * 1024 * 1024)
def test_upload_too_large_to_read_shows_the_form_again(app, client, author):
    data = profile_form(client) | {"avatar": (io.BytesIO(b"\x89PNG" + b"\x00" * (6 * 1024 * 1024)), "huge.png")}
    response = post_upload(client, "/account/profile", data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account/profile")
    page = client.get("/account/profile")
    assert page.status_code == 200
    assert "That upload was 6.0 MB, more than we accept at once (5 MB), so nothing was saved" in page_text(page)


def test_missing_picture_is_404(client):
    for path in ("/media/" + "0" * 64 + ".webp", "/media/nothing.webp", "/avatars/nothing.webp"):
        response = client.get(path)
        assert response.status_code == 404
        response.close()
