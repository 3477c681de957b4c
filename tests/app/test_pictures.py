"""Pictures: the media library, lead images, safe decoding, storage every node reaches."""

import io
import json

import pytest
import sqlalchemy as sa
from PIL import Image

from blog.extensions import db
from blog.models import Article, Media, MediaFile
from tests.helpers import page_text, parse


def picture_bytes(fmt: str = "PNG", size=(2000, 1200), color=(30, 120, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **save)
    return out.getvalue()


def gps_jpeg() -> bytes:
    """A JPEG whose EXIF says where it was taken (GPS IFD) and with which camera."""
    image = Image.new("RGB", (1200, 800), (90, 160, 60))
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x0110] = "Secret Model SN-12345"  # Model
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPS IFD (any Pillow we allow)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(0x8825)[2] == (51.0, 30.0, 12.5)  # the test file really has a position
    return data


def upload(client, data: bytes, name="photo.png", mimetype="image/png", **fields):
    form = {"alt_text": "Boats in the harbour", "caption": "", "credit": ""} | fields
    form["image"] = (io.BytesIO(data), name, mimetype)
    return post_multipart(client, "/editorial/media", form)


def post_multipart(client, url: str, data: dict):
    """POST multipart data; the test client spools big bodies to a temp file we must close."""
    response = client.post(url, data=data, content_type="multipart/form-data")
    response.request.environ["wsgi.input"].close()
    return response


def only_media(app) -> Media:
    with app.app_context():
        [item] = db.session.scalars(sa.select(Media)).all()
        db.session.expunge(item)
        return item


def test_upload_makes_variants_on_the_queue_and_serves_them_immutable(app, client, sign_in):
    sign_in("editor")
    response = upload(client, picture_bytes(size=(2000, 1200)))
    assert response.status_code == 303
    item = only_media(app)
    assert (item.width, item.height) == (2000, 1200)
    assert [w for w, _ in item.variants] == [480, 960, 1600]  # made by the task (immediate mode in tests)
    with app.app_context():
        files = db.session.execute(sa.select(MediaFile.key, MediaFile.width, MediaFile.data)).all()
    assert sorted(f.width for f in files) == [480, 960, 1600, 2000]
    assert all(f.data is not None for f in files)  # in the database: every node reaches them
    for width, key in item.variants:
        served = client.get(f"/media/{key}.webp")
        assert served.status_code == 200
        assert served.mimetype == "image/webp"
        assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert served.headers["ETag"] == f'"{key}"'
        with Image.open(io.BytesIO(served.data)) as image:
            assert (image.format, image.width) == ("WEBP", width)
        again = client.get(f"/media/{key}.webp", headers={"If-None-Match": f'"{key}"'})
        assert again.status_code == 304
    library = parse(client.get("/editorial/media"))
    snippet = library.xpath("//input[contains(@class, 'media-snippet')]/@value")
    assert snippet == [f"![Boats in the harbour](/media/{item.original_key}.webp)"]


def test_until_the_variants_exist_the_original_serves(app, client, sign_in, monkeypatch):
    from blog.services import media

    monkeypatch.setattr(media.jobs, "after_commit", lambda fn, *args: None)  # the queue has not run yet
    sign_in("editor")
    assert upload(client, picture_bytes()).status_code == 303
    item = only_media(app)
    assert item.variants == []
    img = parse(client.get("/editorial/media")).xpath("//li[contains(@class, 'media-item')]//img")[0]
    assert img.get("src") == f"/media/{item.original_key}.webp"
    assert img.get("srcset") == f"/media/{item.original_key}.webp 2000w"
    assert client.get(img.get("src")).status_code == 200
    with app.app_context():
        assert media.make_variants(item.id) == [480, 960, 1600]
        assert media.make_variants(item.id) == []  # idempotent


def test_svg_is_refused(app, client, sign_in):
    sign_in("editor")
    assert upload(client, picture_bytes(size=(300, 200)), alt_text="An earlier picture").status_code == 303
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = upload(client, svg, name="logo.png", mimetype="image/png", caption="Kept caption")
    assert response.status_code == 422
    assert "SVG drawings are not accepted" in page_text(response)
    doc = parse(response)
    assert doc.xpath("//input[@name='caption']/@value") == ["Kept caption"]
    assert doc.xpath("//input[contains(@name, '-alt_text')]/@value") == ["An earlier picture"]  # the list as it was
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Media)) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 an executable, named like a picture", "not an image we can read"),
        (picture_bytes("PNG")[:200], "damaged"),  # a PNG header with its pixels cut off
        (picture_bytes("BMP", size=(40, 40)), "not an image we can read"),  # an image, but not a type we take
    ],
)
def test_bytes_that_are_not_an_accepted_picture_are_refused(app, client, sign_in, data, message):
    sign_in("editor")
    response = upload(client, data, name="photo.jpg", mimetype="image/jpeg")
    assert response.status_code == 422
    assert message in page_text(response)


def test_a_png_named_and_sent_as_jpeg_is_read_by_its_bytes(app, client, sign_in):
    sign_in("editor")
    response = upload(client, picture_bytes("PNG", size=(800, 600)), name="holiday.jpg", mimetype="image/jpeg")
    assert response.status_code == 303
    item = only_media(app)
    with Image.open(io.BytesIO(client.get(f"/media/{item.original_key}.webp").data)) as image:
        assert (image.format, image.size) == ("WEBP", (800, 600))


def test_exif_and_gps_are_stripped(app, client, sign_in):
    sign_in("editor")
    assert upload(client, gps_jpeg(), name="boat.jpg", mimetype="image/jpeg").status_code == 303
    item = only_media(app)
    with app.app_context():
        stored = [row for (row,) in db.session.execute(sa.select(MediaFile.data))]
    assert len(stored) == 3  # the original and the 480 and 960 variants
    for data in stored:
        assert b"Secret Model" not in data and b"Camera Maker" not in data
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif()
            assert "exif" not in image.info and "xmp" not in image.info
    assert item.width == 1200


def test_too_many_pixels_is_refused_before_decoding(app, client, sign_in):
    sign_in("editor")
    out = io.BytesIO()
    Image.new("1", (6300, 6300)).save(out, "PNG")  # 40 megapixels in a few kilobytes
    assert out.tell() < 100_000
    response = upload(client, out.getvalue(), alt_text="Kept alt")
    assert response.status_code == 422
    assert "too many pixels (6,300 × 6,300 px)" in page_text(response)
    assert parse(response).xpath("//input[@name='alt_text']/@value") == ["Kept alt"]


@pytest.mark.app_config(MEDIA_MAX_UPLOAD_BYTES=1024 * 1024)
def test_a_file_over_the_limit_keeps_what_was_typed(app, client, sign_in):
    sign_in("editor")
    big = picture_bytes("BMP", size=(800, 600))
    response = upload(client, big, alt_text="Typed alt", caption="Typed caption", credit="Typed credit")
    assert response.status_code == 422
    doc = parse(response)
    assert "That image is 1.4 MB; the limit is 1 MB" in page_text(response)
    assert doc.xpath("//form[@enctype]//input[@name='caption']/@value") == ["Typed caption"]
    assert doc.xpath("//form[@enctype]//input[@name='credit']/@value") == ["Typed credit"]


def test_alt_text_is_required_and_editable(app, client, sign_in):
    sign_in("editor")
    response = upload(client, picture_bytes(size=(300, 200)), alt_text="")
    assert response.status_code == 422
    assert "Describe the picture" in page_text(response)
    assert upload(client, picture_bytes(size=(300, 200))).status_code == 303
    item = only_media(app)
    prefix = f"m{item.id}-"
    words = {prefix + "alt_text": "A crab on the quay", prefix + "caption": "Low tide", prefix + "credit": "J. Doe"}
    assert client.post(f"/editorial/media/{item.id}", data=words).status_code == 303
    assert only_media(app).alt_text == "A crab on the quay"
    refused = client.post(f"/editorial/media/{item.id}", data={prefix + "alt_text": ""})
    assert refused.status_code == 422


def test_authors_change_the_words_of_their_own_pictures_only(app, client, sign_in):
    sign_in("editor")
    assert upload(client, picture_bytes(size=(300, 200))).status_code == 303
    item = only_media(app)
    client.post("/logout")
    sign_in("author")
    assert client.get("/editorial/media").status_code == 200
    response = client.post(f"/editorial/media/{item.id}", data={f"m{item.id}-alt_text": "Mine now"})
    assert response.status_code == 403
    assert only_media(app).alt_text == "Boats in the harbour"


def test_a_picture_no_article_shows_is_deleted_with_its_files(app, client, sign_in):
    sign_in("author")
    assert upload(client, picture_bytes(size=(1200, 800))).status_code == 303
    item = only_media(app)
    with app.app_context():
        files = [f"/media/{key}.webp" for key in db.session.scalars(sa.select(MediaFile.key))]
    assert len(files) == 3 and all(client.get(url).status_code == 200 for url in files)  # the original, 480, 960
    response = client.post(f"/editorial/media/{item.id}/delete")
    assert response.status_code == 303
    assert "Picture deleted." in page_text(client.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MediaFile)) == 0
    assert [client.get(url).status_code for url in files] == [404, 404, 404]


def test_a_picture_an_article_shows_is_not_deleted_and_the_page_says_where(app, client, sign_in):
    editor = sign_in("editor")
    assert upload(client, picture_bytes(size=(300, 200))).status_code == 303
    item = only_media(app)
    body = f"The quay at noon.\n\n![Boats](/media/{item.original_key}.webp)"
    assert client.post("/editorial/articles/new", data=article_form(editor, body=body)).status_code == 303
    response = client.post(f"/editorial/media/{item.id}/delete")
    assert response.status_code == 409
    message = parse(response).xpath(f"string(//*[@id='media-{item.id}-refused'])")
    assert message == "Not deleted: “Harbour festival returns” shows this picture. Remove it there first."
    assert client.get(f"/media/{item.original_key}.webp").status_code == 200


def test_authors_delete_their_own_pictures_only(app, client, sign_in):
    sign_in("editor")
    assert upload(client, picture_bytes(size=(300, 200))).status_code == 303
    item = only_media(app)
    client.post("/logout")
    sign_in("author")
    assert client.post(f"/editorial/media/{item.id}/delete").status_code == 403
    assert client.post("/editorial/media/999999/delete").status_code == 404
    assert only_media(app).id == item.id


# --- The lead image -------------------------------------------------------------------------------


def article_form(editor_id, **overrides):
    return {
        "title": "Harbour festival returns",
        "slug": "harbour-festival",
        "summary": "Boats, music and food.",
        "body": "The festival is back.",
        "tags": "Harbour",
        "author_id": str(editor_id),
        "comments_open": "y",
        "action": "publish",
    } | overrides


def test_lead_image_on_the_article_page_with_srcset_and_og_image(app, client, sign_in):
    editor = sign_in("editor")
    response = client.post("/editorial/articles/new", data=article_form(editor, action="save"))
    assert response.status_code == 303
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    data = article_form(editor) | {
        "lead-image": (io.BytesIO(picture_bytes("JPEG", size=(2400, 1600))), "lead.jpg", "image/jpeg"),
        "lead-alt_text": "Sailing boats at the festival",
        "lead-caption": "The opening parade",
        "lead-credit": "Photo: Kim Lee",
    }
    response = post_multipart(client, f"/editorial/articles/{article_id}", data)
    assert response.status_code == 303, page_text(response)[:500]
    item = only_media(app)
    page = client.get("/articles/harbour-festival")
    doc = parse(page)
    [img] = doc.xpath("//figure[@class='lead-image']/img")
    original = f"/media/{item.original_key}.webp"
    assert img.get("src") == original
    assert img.get("alt") == "Sailing boats at the festival"
    assert (img.get("width"), img.get("height")) == ("2048", "1365")  # the stored original: at most 2048 px
    assert img.get("loading") is None  # at the top of the page: not lazy
    widths = [entry.rsplit(" ", 1)[1] for entry in img.get("srcset").split(", ")]
    assert widths == ["480w", "960w", "1600w", "2048w"]
    assert img.get("sizes")
    assert doc.xpath("//figure[@class='lead-image']/figcaption")[0].text_content().split() == [
        *["The", "opening", "parade"],
        *["Photo:", "Kim", "Lee"],
    ]
    assert doc.xpath("//meta[@property='og:image']/@content") == [f"http://localhost{original}"]
    ld = json.loads(doc.xpath("//script[@type='application/ld+json']/text()")[0])
    assert ld["image"] == [f"http://localhost{original}"]
    for url in [original, *(entry.split(" ")[0] for entry in img.get("srcset").split(", "))]:
        assert client.get(url).status_code == 200


@pytest.mark.app_config(CACHE_TYPE="SimpleCache")
def test_cached_pages_take_in_the_variants_once_the_queue_has_made_them(app, client, sign_in, monkeypatch):
    from blog.services import media

    queued = []
    monkeypatch.setattr(media.jobs, "after_commit", lambda fn, *args: queued.append(args))
    editor = sign_in("editor")
    data = article_form(editor) | {
        "lead-image": (io.BytesIO(picture_bytes(size=(1000, 600))), "lead.png", "image/png"),
        "lead-alt_text": "The quay",
    }
    assert post_multipart(client, "/editorial/articles/new", data).status_code == 303
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    publish = article_form(editor) | {"lead-alt_text": "The quay"}  # as the form sends it back
    assert post_multipart(client, f"/editorial/articles/{article_id}", publish).status_code == 303
    client.post("/logout")

    def srcset():
        return parse(client.get("/articles/harbour-festival")).xpath("//figure[@class='lead-image']/img/@srcset")[0]

    assert srcset().endswith(" 1000w") and "480w" not in srcset()  # the original alone, and now cached
    [(media_id,)] = queued
    with app.app_context():
        assert media.make_variants(media_id) == [480, 960]
    assert [entry.rsplit(" ", 1)[1] for entry in srcset().split(", ")] == ["480w", "960w", "1000w"]


def test_lead_image_needs_alt_text_and_the_article_text_is_kept(app, client, sign_in):
    editor = sign_in("editor")
    data = article_form(editor, action="save") | {
        "body": "Words I typed and must not lose.",
        "lead-image": (io.BytesIO(picture_bytes(size=(900, 600))), "lead.png", "image/png"),
    }
    response = post_multipart(client, "/editorial/articles/new", data)
    assert response.status_code == 422
    doc = parse(response)
    assert "Describe the lead image" in page_text(response)
    assert doc.xpath("//textarea[@name='body']/text()")[0].strip() == "Words I typed and must not lose."
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Media)) == 0


def test_in_body_images_from_our_media_only(app, client, sign_in):
    editor = sign_in("editor")
    assert upload(client, picture_bytes(size=(600, 400))).status_code == 303
    item = only_media(app)
    body = f"![Boats](/media/{item.original_key}.webp)\n\n![Tracker](https://elsewhere.example/pixel.png)"
    data = article_form(editor, slug="with-pictures", body=body)
    assert client.post("/editorial/articles/new", data=data).status_code == 303
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    assert client.post(f"/editorial/articles/{article_id}", data=data).status_code == 303
    imgs = parse(client.get("/articles/with-pictures")).xpath("//div[@class='story-body']//img")
    assert [(i.get("src"), i.get("alt"), i.get("loading")) for i in imgs] == [
        (f"/media/{item.original_key}.webp", "Boats", "lazy")
    ]


@pytest.mark.app_config(MEDIA_ORIGIN="https://media.example")
def test_media_origin_in_csp_and_urls(app, client, sign_in):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' https://media.example;" in csp
    sign_in("editor")
    assert upload(client, picture_bytes(size=(300, 200))).status_code == 303
    item = only_media(app)
    snippet = parse(client.get("/editorial/media")).xpath("//input[contains(@class, 'media-snippet')]/@value")
    assert snippet == [f"![Boats in the harbour](https://media.example/media/{item.original_key}.webp)"]


def test_csp_stays_strict_without_a_media_origin(client):
    assert "img-src 'self';" in client.get("/").headers["Content-Security-Policy"]


def test_lists_show_a_thumbnail_lazy_below_the_top_story(app, client, make_article, make_user):
    from blog.models import User
    from blog.services import media

    writer = make_user("Kim Lee", role="author")
    older = make_article("Older story", slug="older", author_id=writer)
    newer = make_article("Newer story", slug="newer", author_id=writer)
    with app.app_context():
        for article_id, color in ((older, (10, 10, 10)), (newer, (200, 200, 200))):
            item = media.upload(
                picture_bytes(size=(800, 500), color=color), actor=db.session.get(User, writer), alt_text="x"
            )
            db.session.get(Article, article_id).lead_media_id = item.id
        db.session.commit()
    teasers = parse(client.get("/")).xpath("//article[contains(@class, 'teaser')]")
    images = [t.xpath(".//img[@class='teaser-image']")[0] for t in teasers]
    assert [i.get("loading") for i in images] == [None, "lazy"]  # the top story's is in the first screen
    assert all(i.get("srcset") and i.get("width") == "800" and i.get("alt") == "" for i in images)
    author_page = parse(client.get("/authors/kim-lee")).xpath("//img[@class='teaser-image']/@loading")
    assert author_page == ["lazy", "lazy"]
