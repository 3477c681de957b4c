"""core.revisions: line diffs between two versions of an article's text."""

from blog.core.revisions import FieldDiff, Line, diff_fields, diff_text


def test_unchanged_text_has_only_same_lines():
    assert diff_text("a\nb", "a\nb") == (Line("same", "a"), Line("same", "b"))


def test_a_changed_line_is_removed_then_added_in_reading_order():
    assert diff_text("one\ntwo\nthree", "one\n2\nthree\nfour") == (
        Line("same", "one"),
        Line("del", "two"),
        Line("ins", "2"),
        Line("same", "three"),
        Line("ins", "four"),
    )


def test_empty_versions():
    assert diff_text("", "") == ()
    assert diff_text("", "new") == (Line("ins", "new"),)
    assert diff_text("old", "") == (Line("del", "old"),)


def test_text_is_kept_as_it_is_for_the_template_to_escape():
    assert diff_text("", "<script>") == (Line("ins", "<script>"),)


def test_fields_are_title_summary_body_and_say_whether_they_changed():
    fields = diff_fields({"title": "T", "summary": "S", "body": "B"}, {"title": "T", "summary": "S2", "body": "B"})
    assert [f.name for f in fields] == ["title", "summary", "body"]
    assert [f.changed for f in fields] == [False, True, False]
    assert FieldDiff("body", ()).changed is False
