"""The learning spam filter in the comment pipeline: verdicts, the desk's reason, learning from decisions,
the settings, and the `flask blog spam` commands."""

import json

import pytest
import sqlalchemy as sa

from blog.core.spamfilter import Counts
from blog.extensions import db
from blog.models import Comment, CommentStatus, SpamFeature
from blog.services import spamfilter
from tests.helpers import page_text, parse, set_settings

SPAMMY = "Win free spins and a huge casino bonus today! Claim your jackpot now at the best online casino."
GENUINE = "Thanks for the report on the council meeting. I could not attend, and the summary helps a lot."


@pytest.fixture
def article(make_article):
    return make_article("Council vote", slug="vote")


def latest(app):
    with app.app_context():
        comment = db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()
        db.session.expunge(comment)
        return comment


def score_of(app, body, **fields):
    with app.app_context():
        return spamfilter.score(body=body, **fields).probability


def test_spam_from_a_new_commenter_goes_to_spam_with_its_score_as_the_reason(app, article, post_comment):
    post_comment("vote", name="Lucky Winner", email="win@example.net", body=SPAMMY, website="https://spins.example.top")
    comment = latest(app)
    assert comment.status is CommentStatus.SPAM
    (reason,) = comment.moderation_reasons
    assert reason.startswith("spam score 1.00: ") and len(reason.split(", ")) == 5  # the five heaviest
    assert comment.spam_score >= 0.9 and comment.spam_reason == reason


def test_a_genuine_first_comment_waits_with_a_low_score_by_default(app, article, post_comment):
    post_comment("vote", name="Ann Reader", email="ann@example.net", body=GENUINE)
    comment = latest(app)
    assert (comment.status, comment.moderation_reasons) == (CommentStatus.PENDING, ["first comment"])
    assert comment.spam_score < 0.2


def test_publish_likely_good_publishes_a_low_score_without_rule_hits(app, article, post_comment):
    set_settings(app, publish_likely_good=True)
    post_comment("vote", name="Ann Reader", email="ann@example.net", body=GENUINE)
    comment = latest(app)
    assert comment.status is CommentStatus.APPROVED
    assert comment.moderation_reasons[0].startswith("likely good (spam score 0.")
    # a rule hit still holds it, however good the score
    set_settings(app, hold_words="council")
    post_comment("vote", name="Bo Reader", email="bo@example.net", body=GENUINE + " Again.")
    assert (latest(app).status, latest(app).moderation_reasons) == (CommentStatus.PENDING, ["hold word: council"])


def test_the_score_never_overrides_a_block_word(app, article, post_comment):
    set_settings(app, block_words="council", publish_likely_good=True)
    post_comment("vote", name="Ann Reader", email="ann@example.net", body=GENUINE)
    comment = latest(app)
    assert (comment.status, comment.moderation_reasons) == (CommentStatus.SPAM, ["block word: council"])


def test_a_known_commenter_with_a_high_score_is_held(app, article, post_comment, make_comment):
    make_comment(article, name="Sly", email="sly@example.net", body="Good point about the ferry.")
    post_comment("vote", name="Sly", email="sly@example.net", body=SPAMMY)
    comment = latest(app)
    assert comment.status is CommentStatus.PENDING
    assert comment.moderation_reasons[-1] == "known commenter, but likely spam"
    post_comment("vote", name="Sly", email="sly@example.net", body="And the bridge repairs are late again.")
    assert latest(app).status is CommentStatus.APPROVED  # a low score: still a known commenter


def test_the_desk_shows_the_score_and_the_words_that_weighed_most(app, client, article, post_comment, sign_in):
    post_comment("vote", name="Ann Reader", email="ann@example.net", body=GENUINE)
    held = latest(app)
    sign_in("editor")
    text = page_text(client.get("/moderation/"))
    assert f"Spam filter: {held.spam_reason}" in text
    assert f"{held.spam_reason} (the words that weighed most)" in page_text(
        client.get(f"/moderation/comments/{held.id}")
    )


def learned(app):
    with app.app_context():
        return {f.feature: (f.spam, f.ham) for f in db.session.scalars(sa.select(SpamFeature))}


def test_editors_decisions_teach_the_filter_and_a_change_of_mind_moves_the_counts(
    app, client, article, make_comment, sign_in
):
    body = "Visit the quarry trail walking group, every Sunday morning."
    comment_id = make_comment(article, name="Quinn", email="q@example.net", body=body, status=CommentStatus.PENDING)
    before = score_of(app, body, name="Quinn")
    sign_in("editor")
    assert client.post(f"/moderation/comments/{comment_id}/spam").status_code == 303
    assert learned(app)["#documents"] == (1, 0) and learned(app)["quarry"] == (1, 0)
    as_spam = score_of(app, body, name="Quinn")
    assert as_spam > before
    assert client.post(f"/moderation/comments/{comment_id}/restore").status_code == 303  # "Not spam"
    assert learned(app)["#documents"] == (0, 1) and learned(app)["quarry"] == (0, 1)
    assert score_of(app, body, name="Quinn") < before
    client.post(f"/moderation/comments/{comment_id}/approve")  # the same lesson again: counted once
    assert learned(app)["quarry"] == (0, 1)


def test_deleting_a_comment_keeps_what_it_taught(app, client, article, make_comment, sign_in):
    comment_id = make_comment(article, body="Quarry trail spam here", status=CommentStatus.PENDING)
    sign_in("editor")
    client.post(f"/moderation/comments/{comment_id}/spam")
    taught = learned(app)
    assert client.post(f"/moderation/comments/{comment_id}/delete", data={"confirm": "yes"}).status_code == 303
    with app.app_context():
        assert db.session.get(Comment, comment_id) is None
    assert learned(app) == taught


def test_retrain_learns_what_was_decided_before_and_only_once(app, runner, article, make_comment):
    make_comment(article, body="Lovely harbour photos", status=CommentStatus.APPROVED)
    make_comment(article, body="cheap pills here", status=CommentStatus.SPAM)
    make_comment(article, body="waiting", status=CommentStatus.PENDING)
    result = runner.invoke(args=["blog", "spam", "retrain"])
    assert result.exit_code == 0, result.output
    assert "Learned from 1 good comment(s) and 1 spam comment(s)." in result.output
    assert learned(app)["#documents"] == (1, 1) and learned(app)["harbour"] == (0, 1)
    assert (
        "Learned from 0 good comment(s) and 0 spam comment(s)."
        in runner.invoke(args=["blog", "spam", "retrain"]).output
    )
    again = runner.invoke(args=["blog", "spam", "retrain", "--reset"])
    assert "Learned from 1 good comment(s) and 1 spam comment(s)." in again.output
    assert learned(app)["#documents"] == (1, 1)


def test_evaluate_prints_precision_recall_and_the_confusion_matrix(app, runner, tmp_path):
    rows = [
        {"body": SPAMMY, "name": "Casino", "website": "https://spins.example.top", "label": "spam"},
        {"body": "Buy cheap viagra pills online, no prescription", "name": "Meds", "website": "", "label": "spam"},
        {"body": GENUINE, "name": "Ann", "website": "", "label": "ham"},
        {"body": "Lovely photos of the harbour, thank you.", "name": "Ben", "website": "", "label": "ham"},
    ]
    labelled = tmp_path / "small.jsonl"
    labelled.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(args=["blog", "spam", "evaluate", str(labelled)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "4 comments (2 spam, 2 ham), spam threshold 90%"
    assert lines[1] == "precision 100.0%  recall 100.0%  ham sent to Spam 0.0%"
    assert lines[3].split() == ["labelled", "spam", "2", "0"] and lines[4].split() == ["labelled", "ham", "0", "2"]
    assert learned(app) == {}  # evaluating teaches nothing
    strict = runner.invoke(args=["blog", "spam", "evaluate", str(labelled), "--threshold", "99"])
    assert "spam threshold 99%" in strict.output


def test_evaluate_refuses_a_file_that_is_not_labelled_comments(runner, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"body": "hi", "label": "spam"}\n{"body": "no label"}\n', encoding="utf-8")
    result = runner.invoke(args=["blog", "spam", "evaluate", str(bad)])
    assert result.exit_code == 1
    assert 'line 2: needs a "body" and a "label" of "spam" or "ham"' in result.output


SETTINGS = {
    "max_links": "2",
    "thread_depth": "5",
    "comments_per_page": "50",
    "edit_window_minutes": "10",
    "keep_ip_days": "30",
    "time_zone": "UTC",
}


def test_the_settings_form_saves_the_filters_settings(app, client, sign_in):
    sign_in("admin")
    form = parse(client.get("/editorial/settings"))
    assert form.xpath("//input[@name='spam_threshold']/@value") == ["90"]
    assert form.xpath("//input[@name='ham_threshold']/@value") == ["20"]
    assert form.xpath("//input[@name='publish_likely_good']/@checked") == []  # off by default
    data = {**SETTINGS, "spam_threshold": "80", "ham_threshold": "10", "publish_likely_good": "y"}
    assert client.post("/editorial/settings", data=data).status_code == 303
    with app.app_context():
        from blog.services.site import ensure_settings

        s = ensure_settings()
        assert (s.spam_threshold, s.ham_threshold, s.publish_likely_good) == (80, 10, True)
    for bad, message in (
        ({"ham_threshold": "80"}, "The likely-good line must be below the Spam threshold."),
        ({"spam_threshold": "100"}, "Number must be between 1 and 99."),
        ({"ham_threshold": ""}, "Enter a percentage (0 to 99)."),
    ):
        response = client.post("/editorial/settings", data={**data, **bad})
        assert response.status_code == 422, bad
        assert message in page_text(response)


def test_what_was_learned_names_nobody_in_clear(app, client, article, make_comment, sign_in):
    comment_id = make_comment(
        article,
        name="Zebulon Quartermaine",
        website="https://zebulon-trails.example.com",
        body="Walking group news, see www.quartz-hikes.example.org for dates",
        status=CommentStatus.PENDING,
    )
    sign_in("editor")
    client.post(f"/moderation/comments/{comment_id}/spam")
    features = learned(app)
    assert features["walking"] == (1, 0)
    assert not [f for f in features if "zebulon" in f or "quartermaine" in f or "example" in f or "quartz" in f]
    with app.app_context():  # still counted: the scores of the same name and site rise
        counts = spamfilter.learned_counts(["name:zebulon", "site:example.com", "url:example.org"])
        assert counts["name:zebulon"] == counts["site:example.com"] == Counts(1, 0)


def test_an_edit_takes_back_what_the_old_text_taught(app, article, make_comment):
    from datetime import UTC, datetime

    from blog.services import comment_edits

    comment_id = make_comment(article, body="Quarry trail walk on Sunday", status=CommentStatus.APPROVED)
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        spamfilter.learn(comment, spamfilter.HAM)
        db.session.commit()
    assert learned(app)["quarry"] == (0, 1)
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        comment_edits.revise(comment, "Harbour walk on Monday", editor=None, now=datetime.now(UTC))
        db.session.commit()
        assert comment.spam_learned is None
    assert learned(app)["quarry"] == (0, 0) and learned(app)["#documents"] == (0, 0)
