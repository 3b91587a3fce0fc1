"""Markdown conventions editors rely on, rendered through the real build."""
from __future__ import annotations

import hashlib
import re


def test_task_list_becomes_checkboxes_a_reader_can_tick(project):
    assert project.build().code == 0
    html = project.read("output/topic/index.html")
    boxes = re.findall(r'<input[^>]*type="checkbox"[^>]*>', html)
    assert len(boxes) == 2 and " checked" not in boxes[0] and " checked" in boxes[1]
    assert '<label class="checklist__label" for="check-1">The program is licensed</label>' in html


def test_a_wide_table_scrolls_in_a_region_keyboard_users_can_reach_and_hear_named(project):
    assert project.build().code == 0
    html = project.read("output/topic/index.html")
    assert '<div aria-label="Level, Hours" class="table-scroll" role="region" tabindex="0">\n<table>' in html


def test_loose_task_list_with_links_keeps_the_link_inside_the_label(project):
    project.write("content/list.md", project.read("content/topic.md").replace("menu_order: 1", "slug: list") +
                  "\n\n- [ ] Ask about [help](get-help-now.md)\n\n- [ ] Check **licensing**\n")
    assert project.build().code == 0
    html = project.read("output/list/index.html")
    assert '<label class="checklist__label" for="check-3">Ask about <a href="../get-help-now/">help</a></label>' in html
    assert "<strong>licensing</strong></label>" in html


def test_links_between_pages_keep_their_anchor(project):
    assert project.build().code == 0
    assert 'href="../get-help-now/#what-to-do"' in project.read("output/topic/index.html")


def test_myths_page_pairs_each_myth_with_its_fact(project):
    project.write("content/myths.md", "---\ntitle: Myths\ndescription: Myths and facts.\nlast_reviewed: 2026-01-15\n"
                  "template: myths\n---\nIntro.\n\n## IOP is only for addiction\n\nIt helps with *mental health* too.\n\n"
                  "## You must quit your job\n\nMany programs run in the evening.\n")
    assert project.build().code == 0
    html = project.read("output/myths/index.html")
    pairs = re.findall(r'<section class="myth" aria-labelledby="([^"]+)">\s*<h2 class="myth__statement" id="\1">'
                       r'<span class="myth__label">Myth<span class="visually-hidden">:</span></span> ([^<]+)</h2>\s*'
                       r'<div class="myth__fact">\s*<p class="myth__fact-label">Fact</p>\s*<p>(.*?)</p>', html)
    assert pairs == [("iop-is-only-for-addiction", "IOP is only for addiction", "It helps with <em>mental health</em> too."),
                     ("you-must-quit-your-job", "You must quit your job", "Many programs run in the evening.")]
    assert html.index("Intro.") < html.index('class="myth"')


def test_faq_page_shows_questions_as_headings_with_answers_and_a_contents_list(project):
    project.write("content/faq.md", "---\ntitle: FAQ\ndescription: Questions.\nlast_reviewed: 2026-01-15\n"
                  "template: faq\n---\n## How long is an IOP?\n\nOften 6 to 12 weeks.\n\n## Can I work?\n\nOften, yes.\n")
    assert project.build().code == 0
    html = project.read("output/faq/index.html")
    assert re.search(r'<section class="faq-item" aria-labelledby="how-long-is-an-iop">\s*'
                     r'<h2 class="faq-item__question" id="how-long-is-an-iop">How long is an IOP\?</h2>\s*'
                     r'<div class="faq-item__answer">\s*<p>Often 6 to 12 weeks.</p>', html)
    assert '<a href="#can-i-work">Can I work?</a>' in html


def test_home_page_shows_each_section_as_a_card(project):
    assert project.build().code == 0
    html = project.read("output/index.html")
    assert html.count('<section class="card"') == 2
    assert '<h2 class="card__title" id="learn">Learn</h2>' in html


def test_drafts_are_left_out_unless_asked_for(project):
    project.edit("content/topic.md", "menu_order: 1", "menu_order: 1\ndraft: true")
    project.edit("site_config.yaml", "  - topic.md\n", "")
    project.edit("content/index.md", "Welcome. Read [the topic page](topic.md).", "Welcome.")
    project.edit("content/index.md", "Start with [the topic](topic.md).", "Start.")
    assert project.build().code == 0
    assert not (project.root / "output/topic").exists()
    assert "topic/" not in project.read("output/sitemap.xml")
    assert project.build("--drafts").code == 0
    assert (project.root / "output/topic/index.html").is_file()


def test_images_in_content_are_published_under_hashed_names_and_unused_ones_are_left_out(project):
    png = b"\x89PNG\r\n\x1a\n"
    project.write("content/images/week.png", png)
    project.write("content/images/unused.png", png + b"unused")
    project.edit("content/topic.md", "## A table", "![A week of sessions](images/week.png)\n\n## A table")
    assert project.build().code == 0
    published = f"images/week.{hashlib.sha256(png).hexdigest()[:10]}.png"
    assert f'<img alt="A week of sessions" src="../{published}">' in project.read("output/topic/index.html")
    assert sorted(p.name for p in (project.root / "output/images").iterdir()) == [published.split("/")[1]]
    assert (project.root / "output" / published).read_bytes() == png


def test_base_url_sets_canonical_and_sitemap_but_links_stay_relative(project):
    assert project.build("--base-url", "https://example.com/iop-guide").code == 0
    html = project.read("output/topic/index.html")
    assert '<link rel="canonical" href="https://example.com/iop-guide/topic/">' in html
    assert "<loc>https://example.com/iop-guide/topic/</loc>" in project.read("output/sitemap.xml")
    assert "Sitemap: https://example.com/iop-guide/sitemap.xml" in project.read("output/robots.txt")
    assert re.search(r'href="/iop-guide/static/site\.[0-9a-f]{10}\.css"', project.read("output/404.html"))


def test_values_from_content_and_config_are_escaped(project):
    project.edit("content/topic.md", "title: A topic page", 'title: "<script>alert(1)</script>"')
    project.edit("site_config.yaml", "site_name: IOP Guide", 'site_name: "<b>IOP</b>"')
    assert project.build().code == 0
    html = project.read("output/topic/index.html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;IOP&lt;/b&gt;" in html


def test_crlf_and_bom_files_just_work(project):
    text = project.read("content/topic.md").replace("\n", "\r\n")
    project.write("content/topic.md", b"\xef\xbb\xbf" + text.encode())
    assert project.build().code == 0
    assert "A topic page</h1>" in project.read("output/topic/index.html")


def test_build_ends_with_one_summary_line(project):
    run = project.build()
    assert run.code == 0
    assert re.fullmatch(r"Built 3 pages \(\d+ files\) in \d+\.\d\d s → output/\n", run.out)


def test_a_fenced_code_example_is_shown_as_written_with_its_language_named(project):
    project.edit("content/topic.md", "\n\n", '\n\n```yaml\ntitle: "An example"\n```\n\n```{.html}\n<p>Hi</p>\n```\n\n', )
    assert project.build().code == 0
    html = project.read("output/topic/index.html")
    assert '<pre><code class="language-yaml">title: &quot;An example&quot;\n</code></pre>' in html
    assert '<pre><code class="language-html">&lt;p&gt;Hi&lt;/p&gt;\n</code></pre>' in html


def test_on_a_large_site_every_page_shows_its_own_text_and_contents_list(project):
    # 150 pages: worker processes convert them in batches and render each batch after; a page must
    # never show another's text, headings or contents list, wherever the batches begin and end
    for number in range(150):
        sections = "".join(f"\n## Part {letter} of page {number}\n\nAbout part {letter}.\n" for letter in "ABCD")
        project.write(f"content/generated-{number:03}.md",
                      f"---\ntitle: Page {number}\ndescription: Generated page {number}.\nlast_reviewed: 2026-01-15\n"
                      f"---\nThe text of page {number}.\n{sections}")
    assert project.build("--no-cache").code == 0
    for number in range(150):
        html = project.read(f"output/generated-{number:03}/index.html")
        assert re.findall(r"The text of page (\d+)\.", html) == [str(number)]
        assert set(re.findall(r"Part [ABCD] of page (\d+)", html)) == {str(number)}
        contents = re.search(r'<nav class="contents-list".*?</nav>', html, re.S).group()
        assert re.findall(r'href="#([^"]+)"', contents) == [f"part-{letter.lower()}-of-page-{number}" for letter in "ABCD"]


def test_a_search_page_named_in_the_config_is_linked_from_every_pages_header(project):
    assert project.build().code == 0
    assert "site-header__search" not in project.read("output/topic/index.html")  # no search page, no link
    project.write("content/find.md", "---\ntitle: Search this guide\nmenu_title: Search\ndescription: Search.\n"
                  "last_reviewed: 2026-01-15\n---\nSearch.\n")
    project.edit("site_config.yaml", "help_page: get-help-now.md\n", "help_page: get-help-now.md\nsearch_page: find.md\n")
    assert project.build().code == 0
    assert re.search(r'<a class="site-header__search" href="../find/">.*</svg>Search</a>', project.read("output/topic/index.html"))
    assert 'href="./" aria-current="page"><svg' in project.read("output/find/index.html")


def test_a_search_page_that_does_not_exist_is_named_at_its_line(project):
    project.edit("site_config.yaml", "help_page: get-help-now.md\n", "help_page: get-help-now.md\nsearch_page: find.md\n")
    run = project.build()
    assert run.code == 1
    line = project.read("site_config.yaml").splitlines().index("search_page: find.md") + 1
    assert f"site_config.yaml:{line}:" in run.err and "find.md" in run.err
