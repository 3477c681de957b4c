"""Writes blog/data/confusables_latin.json: every non-ASCII character that Unicode's confusables data (as
packaged by ``confusable_homoglyphs``) says looks like an ASCII letter or digit, with that letter or digit.

The spam filter folds look-alike letters with this small table instead of loading the whole confusables data
(about 7 MiB) in every web worker. Run after upgrading ``confusable_homoglyphs``:
python tests/data/make_confusables.py; tests/unit/test_spamfilter.py checks that the two agree.
"""

from __future__ import annotations

import json
from pathlib import Path

TARGET = Path(__file__).resolve().parents[2] / "blog" / "data" / "confusables_latin.json"


def table() -> dict[str, str]:
    from confusable_homoglyphs import confusables

    out = {}
    for char, glyphs in sorted(confusables.confusables_data.items()):
        if len(char) != 1 or char.isascii():
            continue
        latin = [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum()]
        if latin:
            out[char] = latin[0]
    return out


def main() -> None:
    TARGET.write_text(json.dumps(table(), ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
