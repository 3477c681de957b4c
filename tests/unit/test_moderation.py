from datetime import UTC, datetime, timedelta

from blog.core.moderation import (
    Draft,
    Policy,
    Status,
    comments_close_at,
    comments_closed,
    count_links,
    decide,
    edit_refusal,
    parse_words,
    reply_refusal,
    status_after_edit,
)

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
DRAFT = Draft(name="Pat", email="pat@example.net", website="", body="A thoughtful comment.")


DEFAULT_POLICY = Policy()


def verdict(draft=DRAFT, policy=DEFAULT_POLICY, *, editor=False, known=False):
    return decide(policy, draft, by_editor=editor, known_commenter=known)


def with_body(body: str) -> Draft:
    return Draft(DRAFT.name, DRAFT.email, DRAFT.website, body)


def test_first_comment_waits():
    assert verdict().status is Status.PENDING
    assert verdict().reasons == ("first comment",)


def test_known_commenter_is_approved():
    assert verdict(known=True).status is Status.APPROVED


def test_a_banned_commenter_goes_to_spam_even_when_known():
    for banned in ("address", "network"):
        got = decide(DEFAULT_POLICY, DRAFT, by_editor=False, known_commenter=True, banned=banned)
        assert (got.status, got.reasons) == (Status.SPAM, (f"banned {banned}",))


def test_block_words_come_before_a_ban_and_a_ban_before_the_hold_rules():
    blocked = decide(
        Policy(block_words=("casino",)), with_body("casino"), by_editor=False, known_commenter=False, banned="address"
    )
    assert blocked.reasons == ("block word: casino",)
    held = decide(
        Policy(hold_words=("refund",)), with_body("refund"), by_editor=False, known_commenter=False, banned="network"
    )
    assert (held.status, held.reasons) == (Status.SPAM, ("banned network",))


def test_a_signed_in_editor_is_not_stopped_by_a_ban_of_their_network():
    got = decide(DEFAULT_POLICY, DRAFT, by_editor=True, known_commenter=False, banned="network")
    assert got.status is Status.APPROVED


def test_known_commenter_waits_when_auto_approve_is_off():
    assert verdict(known=True, policy=Policy(auto_approve_known=False)).status is Status.PENDING


def test_editor_is_approved():
    assert verdict(editor=True).status is Status.APPROVED


def test_block_word_is_spam_even_for_editors_and_known_commenters():
    policy = Policy(block_words=("casino",))
    result = verdict(with_body("Visit my CASINO"), policy, editor=True, known=True)
    assert result.status is Status.SPAM
    assert result.reasons == ("block word: casino",)


def test_block_and_hold_words_match_name_email_and_website():
    policy = Policy(block_words=("pills",), hold_words=("bigshop",))
    assert verdict(Draft("Cheap Pills", "a@example.net", "", "hi"), policy).status is Status.SPAM
    assert verdict(Draft("A", "a@pills.example", "", "hi"), policy).status is Status.SPAM
    held = verdict(Draft("A", "a@example.net", "https://BigShop.example", "hi"), policy, known=True)
    assert (held.status, held.reasons) == (Status.PENDING, ("hold word: bigshop",))


def test_too_many_links_hold_even_known_commenters():
    body = "see https://a.example and http://b.example and https://c.example"
    result = verdict(with_body(body), Policy(max_links=2), known=True)
    assert result.status is Status.PENDING
    assert result.reasons == ("3 links (more than 2)",)
    assert verdict(with_body(body), Policy(max_links=3), known=True).status is Status.APPROVED


def test_editor_skips_link_and_hold_checks():
    assert (
        verdict(with_body("https://a https://b https://c"), Policy(max_links=0, hold_words=("a",)), editor=True).status
        is Status.APPROVED
    )


def test_parse_words_and_count_links():
    assert parse_words("  Casino \n\npills\ncasino\n") == ("casino", "pills")
    assert count_links("[x](https://a.example) HTTP://B.example ftp://c") == 2


def test_comments_closed():
    published = NOW - timedelta(days=10)
    assert not comments_closed(comments_open=True, published_at=published, close_after_days=None, now=NOW)
    assert comments_closed(comments_open=False, published_at=published, close_after_days=None, now=NOW)
    assert comments_closed(comments_open=True, published_at=None, close_after_days=None, now=NOW)
    assert comments_closed(comments_open=True, published_at=published, close_after_days=7, now=NOW)
    assert not comments_closed(comments_open=True, published_at=published, close_after_days=14, now=NOW)


def test_comments_close_at_is_the_moment_they_close():
    published = NOW - timedelta(days=10)
    closes = comments_close_at(comments_open=True, published_at=published, close_after_days=14)
    assert closes == published + timedelta(days=14)
    rule = {"comments_open": True, "published_at": published, "close_after_days": 14}
    assert not comments_closed(**rule, now=closes) and comments_closed(**rule, now=closes + timedelta(seconds=1))
    assert comments_close_at(comments_open=True, published_at=published, close_after_days=None) is None
    assert comments_close_at(comments_open=False, published_at=published, close_after_days=14) is None
    assert comments_close_at(comments_open=True, published_at=None, close_after_days=14) is None


def test_reply_rules():
    ok = {"parent_article_id": 1, "parent_status": "approved", "parent_depth": 0, "article_id": 1, "max_depth": 5}
    assert reply_refusal(**ok) is None
    assert "does not exist" in reply_refusal(**ok | {"parent_article_id": None})
    assert "another article" in reply_refusal(**ok | {"parent_article_id": 2})
    for status in ("pending", "spam", "trash"):
        assert "not published" in reply_refusal(**ok | {"parent_status": status})
    assert reply_refusal(**ok | {"parent_depth": 3}) is None
    assert "as deep as it can go" in reply_refusal(**ok | {"parent_depth": 4})


def refusal(minutes_ago: float, *, window: int = 10, replied: bool = False, reviewed: bool = False):
    return edit_refusal(
        created_at=NOW - timedelta(minutes=minutes_ago),
        now=NOW,
        window_minutes=window,
        replied=replied,
        reviewed=reviewed,
    )


def test_the_edit_window_lasts_its_minutes_by_the_servers_clock():
    assert refusal(0) is None and refusal(10) is None
    assert refusal(10.01) == "The time to edit this comment has passed (10 minutes)."
    assert refusal(1.5, window=1) == "The time to edit this comment has passed (1 minute)."
    assert refusal(0, window=0) == "Comments can't be edited on this site."


def test_a_reply_or_an_editor_closes_the_window():
    assert refusal(1, replied=True) == "Someone has replied to this comment, so it can no longer be edited."
    assert refusal(1, reviewed=True) == "An editor has already looked at this comment, so it can no longer be edited."


def test_an_edit_only_makes_a_status_stricter():
    assert status_after_edit(Status.APPROVED, Status.APPROVED) is Status.APPROVED
    assert status_after_edit(Status.APPROVED, Status.PENDING) is Status.PENDING
    assert status_after_edit(Status.APPROVED, Status.SPAM) is Status.SPAM
    assert status_after_edit(Status.PENDING, Status.APPROVED) is Status.PENDING
    assert status_after_edit(Status.PENDING, Status.SPAM) is Status.SPAM
    assert status_after_edit(Status.SPAM, Status.APPROVED) is Status.SPAM
