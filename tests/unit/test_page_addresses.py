"""Page addresses and review dates, as the build works them out from file names and front matter."""
from __future__ import annotations

import datetime as dt

from iopguide.markup.extension import relative_url
from iopguide.source.pages import add_months, page_url, slugify


def test_pretty_urls_and_relative_links_work_from_any_depth():
    assert page_url("what-is-an-iop.md", None) == "what-is-an-iop/"
    assert page_url("index.md", None) == ""
    assert page_url("Guides/Cost & Insurance.md", None) == "guides/cost-insurance/"
    assert page_url("guides/index.md", None) == "guides/"
    assert page_url("guides/x.md", "custom") == "guides/custom/"
    assert relative_url("a/", "b/") == "../b/"
    assert relative_url("", "b/") == "b/"
    assert relative_url("a/b/", "") == "../../"
    assert relative_url("a/", "a/") == "./"
    assert relative_url("a/", "static/site.css") == "../static/site.css"


def test_file_names_with_spaces_or_accents_give_valid_urls():
    assert slugify("Über uns") == "uber-uns"
    assert slugify("Cost and   insurance") == "cost-and-insurance"
    assert slugify("Вопросы") == "вопросы"
    assert relative_url("", "вопросы/") == "%D0%B2%D0%BE%D0%BF%D1%80%D0%BE%D1%81%D1%8B/"


def test_next_review_defaults_to_review_months_after_last_review():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 22), 12) == dt.date(2027, 11, 22)
