"""Curly quotes, dashes and ellipses as readers see them, and everything that must stay as written."""
from __future__ import annotations

import pytest

from iopguide.markup.convert import make_markdown
from iopguide.markup.extension import PageContext


def to_html(text: str) -> str:
    md = make_markdown()
    md.page_context = PageContext("page.md", "page/", {"page.md": "page/", "other.md": "other/"}, {})
    return md.convert(text)


@pytest.mark.parametrize("markdown, html", [
    pytest.param("She said \"yes\" and 'maybe'.", "She said &ldquo;yes&rdquo; and &lsquo;maybe&rsquo;.", id="quotes"),
    pytest.param("Don't skip the programs' rules from the '90s.",
                 "Don&rsquo;t skip the programs&rsquo; rules from the &rsquo;90s.", id="apostrophes"),
    pytest.param("9--19 hours --- most weekdays... or fewer",
                 "9&ndash;19 hours &mdash; most weekdays&hellip; or fewer", id="dashes and ellipsis"),
    pytest.param("\"'Quoted' words,\" she said", "&ldquo;&lsquo;Quoted&rsquo; words,&rdquo; she said",
                 id="quotes in quotes"),
    pytest.param("(\"in brackets\") and --\"after a dash\"",
                 "(&ldquo;in brackets&rdquo;) and &ndash;&ldquo;after a dash&rdquo;", id="quotes open after ( and a dash"),
    pytest.param('"*Really*"', "&ldquo;<em>Really</em>&rdquo;", id="quote after emphasis closes"),
    pytest.param("'**now**'", "&lsquo;<strong>now</strong>&rsquo;", id="quote after strong closes"),
    pytest.param('"[the checklist](other.md)"', '&ldquo;<a href="../other/">the checklist</a>&rdquo;',
                 id="quote after a link closes"),
    pytest.param('Type "`988`"', "Type &ldquo;<code>988</code>&rdquo;", id="quote after code closes"),
    pytest.param("*Custer*'s stand", "<em>Custer</em>&rsquo;s stand", id="apostrophe after emphasis"),
])
def test_a_paragraph_gets_curly_quotes_dashes_and_ellipses(markdown, html):
    assert to_html(markdown) == f"<p>{html}</p>"


def test_a_quote_opening_a_paragraph_opens_whatever_ended_the_one_before():
    assert to_html('It ended "here".\n\n"New" start') == \
        "<p>It ended &ldquo;here&rdquo;.</p>\n<p>&ldquo;New&rdquo; start</p>"
    assert to_html('- "one"\n- "two"') == "<ul>\n<li>&ldquo;one&rdquo;</li>\n<li>&ldquo;two&rdquo;</li>\n</ul>"


def test_code_stays_exactly_as_written():
    assert to_html("Run `echo \"it's\" -- ...` now") == "<p>Run <code>echo \"it's\" -- ...</code> now</p>"
    assert to_html("```\nsay \"it's\" -- ...\n```") == "<pre><code>say &quot;it's&quot; -- ...\n</code></pre>"
    assert to_html("    say \"it's\" -- ...") == "<pre><code>say \"it's\" -- ...\n</code></pre>"


def test_a_backslash_keeps_a_straight_quote():
    assert to_html(r'Type \"yes\" or \'no\'') == "<p>Type \"yes\" or 'no'</p>"


def test_link_text_is_curled_but_addresses_and_titles_are_not():
    assert to_html("[Don't \"wait\"](other.md \"It's -- here\")") == \
        '<p><a href="../other/" title="It\'s -- here">Don&rsquo;t &ldquo;wait&rdquo;</a></p>'
    assert to_html("[a--b](https://example.org/a--b...) <https://example.org/c--d>") == \
        '<p><a href="https://example.org/a--b...">a&ndash;b</a> ' \
        '<a href="https://example.org/c--d">https://example.org/c--d</a></p>'
    assert to_html("![It's \"a\" week](https://example.org/week.png)") == \
        '<p><img alt="It\'s &quot;a&quot; week" src="https://example.org/week.png"></p>'


def test_keys_and_output_written_in_html_stay_as_written_and_quotes_around_them_close():
    assert to_html('Press <kbd>--</kbd> then <kbd>"</kbd>, not "<samp>Loading...</samp>"') == \
        '<p>Press <kbd>--</kbd> then <kbd>"</kbd>, not &ldquo;<samp>Loading...</samp>&rdquo;</p>'
    assert to_html('It is "<abbr title="Intensive outpatient program">IOP</abbr>" -- or "<b>not</b>"') == \
        '<p>It is &ldquo;<abbr title="Intensive outpatient program">IOP</abbr>&rdquo; &ndash; or &ldquo;<b>not</b>&rdquo;</p>'


def test_entities_the_editor_wrote_stay_as_written():
    assert to_html('Copy&nbsp;"this" &mdash;"that" &amp; more') == \
        "<p>Copy&nbsp;&ldquo;this&rdquo; &mdash;&ldquo;that&rdquo; &amp; more</p>"


def test_heading_ids_and_anchors_stay_the_same_with_curly_text():
    md = make_markdown()
    md.page_context = PageContext("page.md", "page/", {}, {})
    html = md.convert("## Don't \"panic\" -- it's fine...\n\n## Step--one {#step--one}\n\n## Cost\n\n## Cost")
    assert html == ('<h2 id="dont-panic-its-fine">Don&rsquo;t &ldquo;panic&rdquo; &ndash; it&rsquo;s fine&hellip;</h2>\n'
                    '<h2 id="step--one">Step&ndash;one</h2>\n<h2 id="cost">Cost</h2>\n<h2 id="cost_1">Cost</h2>')
    # the "On this page" list and the page's sections show the curly text under the same ids
    assert md.toc_tokens[0]["id"] == "dont-panic-its-fine"
    assert md.toc_tokens[0]["name"] == "Don&rsquo;t &ldquo;panic&rdquo; &ndash; it&rsquo;s fine&hellip;"


def test_checklists_tables_and_abbreviations_get_curly_text_too():
    checklist = to_html('- [ ] "Licensed" staff')
    assert '<label class="checklist__label" for="check-1">&ldquo;Licensed&rdquo; staff</label>' in checklist
    table = to_html("| Who | Hours |\n| --- | --- |\n| Don't know | 9--19 |")
    assert "<td>Don&rsquo;t know</td>\n<td>9&ndash;19</td>" in table
    abbr = to_html('*[IOP]: Intensive "outpatient" program\n\nAn IOP\'s "IOP"')
    assert abbr == ('<p>An <abbr title="Intensive &quot;outpatient&quot; program">IOP</abbr>&rsquo;s &ldquo;'
                    '<abbr title="Intensive &quot;outpatient&quot; program">IOP</abbr>&rdquo;</p>')
