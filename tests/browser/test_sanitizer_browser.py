"""A hostile corpus, built and then read by Chromium: every vector is refused with its `path:line`, or
published harmless — the live DOM holds only allowed elements, attributes and addresses, and no
script, dialog or navigation ran, with the page's Content-Security-Policy switched off so that the
check alone is what is tested.

The vectors are data (tests/fixtures/hostile, each file names its source and licence): DOMPurify's
test payloads, html5lib's tokenizer inputs, and the classes of issue 24.
"""
from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import time

from playwright.sync_api import Error as PlaywrightError

from conftest import FIXTURES, site_pages
from iopguide.markup import sanitize

# The classes of issue 24 and their close relatives; a Markdown heading puts them in | safe titles too.
ISSUE_VECTORS = [
    "<noscript><p title=\"</noscript><meta http-equiv=refresh content='0;url=https://evil.example/'>\"></p></noscript>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></p></noscript>",
    "<select><option>a</option><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">x</a>"
    "<iframe src=\"https://evil.example/\"></iframe><meta http-equiv=refresh content=\"0;url=https://evil.example/\">"
    "<span style=\"position:fixed\">x</span></select>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    "<template><img src=x onerror=alert(1)></template>",
    "<textarea><img title=\"</textarea><img src=x onerror=alert(1)>\"></textarea>",
    "<noembed><img title=\"</noembed><img src=x onerror=alert(1)>\"></noembed>",
    "<xmp><img title=\"</xmp><img src=x onerror=alert(1)>\"></xmp>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "<input type=text autofocus onfocus=alert(1)>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
    "<base href=\"https://evil.example/\">",
    "<a href=\" &#14;javascript:alert(1)\">x</a> <a href=\"java&#x09;script:alert(1)\">y</a>",
    "[x](javascript:alert(1)) [y](JaVaScRiPt&#x3a;alert(1)) ![z](data:image/svg+xml,<svg onload=alert(1)>)",
    "<a href=\"file:///etc/passwd\">a</a> <a href=\"ms-msdt:/id PCWDiagnostic\">b</a>",
    "[c](search-ms:query=x) [d](intent://x#Intent;scheme=https;end)",
    "[Call 988](https://988lifeline.org@evil.example/) <a href=\"https:988lifeline.org@evil.example\">e</a>",
    "<p id=\"quiz-data\">Yes</p>",
    "<a href=\"https://example.org/\" data-quick-exit>Leave</a>",
    "[x](https://example.org/ \"t\\\" onmouseover=alert(1) style=color:red x=\\\"\")",
    "![x\\\" onerror=alert(1) x=\\\"](https://example.org/x.png)",
    "<img src=x alt=\"ok\" title=\"&lt;img src=x onerror=alert(1)&gt;\">",
    "<!--<img src=x onerror=alert(1)>--> <!--><img src=x onerror=alert(1)>-->",
    "<style><img src=x onerror=alert(1)></style>",
    "A paragraph.\n{: onclick=\"alert(1)\" }",
    "<p>Plain <abbr title=\"Intensive outpatient program\">IOP</abbr>, <kbd>Ctrl</kbd>.</p>",
]
TOKENIZER_SAMPLE = 12  # every 12th of html5lib's 1,680 tokenizer inputs; all of them are checked without a browser
TEMPLATES = ["page", "faq", "myths"]
WEB_SCHEMES = {"http:", "https:", "mailto:", "tel:"}


def fixture_vectors(name: str) -> list[str]:
    return json.loads((FIXTURES / "hostile" / name).read_text(encoding="utf-8"))["vectors"]


def corpus() -> list[str]:
    return (ISSUE_VECTORS + fixture_vectors("dompurify.json")
            + fixture_vectors("html5lib_tokenizer.json")[::TOKENIZER_SAMPLE])


def vector_page(number: int, vector: str) -> str:
    """The vector as an editor could write it: under a `##` heading, and, when it is one line, in the
    heading and in a citation note (notes are shown apart from the text, under their own heading)."""
    one_line = "\n" not in vector
    heading = f"## Question {number} {vector}" if one_line else f"## Question {number}"
    note = f"\n[^v]: Source. {vector}\n" if one_line else ""
    return (f"---\ntitle: Vector {number}\ndescription: A hostile page.\nlast_reviewed: 2026-01-15\n"
            f"template: {TEMPLATES[number % len(TEMPLATES)]}\n---\nIntro.{'[^v]' if one_line else ''}\n\n"
            f"{heading}\n\n{vector}\n{note}")


def test_every_published_piece_holds_only_allowed_markup_and_reads_back_as_checked():
    """Without a build or a browser: every vector of the fixtures, published, is allowed markup, and
    checking the published text again changes nothing — what the parser builds from it is what was checked."""
    for vector in ISSUE_VECTORS + fixture_vectors("dompurify.json") + fixture_vectors("html5lib_tokenizer.json"):
        published = sanitize.check_html(vector).html
        again = sanitize.check_parsed(published)
        # published as written only when the quick scan proved it plain: then it is its own reading
        assert again.refused == [] and (again.html == published or published == vector), (vector, published, again)


REFUSAL = re.compile(r"^content/v(\d+)\.md:(\d+): .+ — .+$")


def build_corpus(project) -> tuple[set[int], list[int]]:
    """Build the corpus, dropping what the build refuses; the refused vectors and the published ones."""
    vectors = corpus()
    for number, vector in enumerate(vectors):
        project.write(f"content/v{number:04d}.md", vector_page(number, vector))
    refused: set[int] = set()
    on_its_lines = lines_named = 0
    for _ in range(3):  # a second round finds what only a whole page's conversion could show
        run = project.build()
        assert "Traceback" not in run.err, run.err[-3000:]
        if run.code == 0:
            break
        for line in run.err.splitlines()[:-1]:
            match = REFUSAL.match(line)
            assert match, f"a refusal without path:line — hint: {line!r}"
            number, at = int(match.group(1)), int(match.group(2))
            assert at >= 7, line  # in the page's body, not its front matter
            lines_named += 1
            # the heading (line 9), the vector's own lines or its note (line 13); the body's first line
            # when markup was made by the parser (<isindex> becomes a <form>) and is nowhere in the text
            on_its_lines += 9 <= at <= 13 + vectors[number].count("\n")
            if number not in refused:
                refused.add(number)
                (project.root / f"content/v{number:04d}.md").unlink()
    assert run.code == 0, run.err[-3000:]
    assert on_its_lines >= 0.95 * lines_named, (on_its_lines, lines_named)
    return refused, [number for number in range(len(vectors)) if number not in refused]


# Run in each page: every element, attribute and address that is neither allowed in content nor one of
# the template's own (learned from a plain page built with the same templates).
FIND_UNALLOWED = """([allowed, template, expected]) => {
  const bad = [];
  const signature = el => [el.localName, el.namespaceURI, [...el.attributes].map(a => a.name).sort().join(' '),
                           el.getAttribute('http-equiv') || '', el.getAttribute('rel') || '', el.getAttribute('type') || '']
                          .join('|');
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    const names = [...el.attributes].map(a => a.name);
    const content = el.namespaceURI === 'http://www.w3.org/1999/xhtml' && allowed.elements.includes(tag)
      && names.every(n => allowed.global.includes(n) || n.startsWith('aria-') || (allowed.element[tag] || []).includes(n))
      && (tag !== 'input' || el.getAttribute('type') === 'checkbox');
    if (!content && !template.includes(signature(el))) bad.push(el.outerHTML.slice(0, 200));
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) bad.push('handler ' + attr.name);
      if (['href', 'src', 'cite', 'action', 'formaction', 'data', 'poster', 'xlink:href'].includes(attr.name)) {
        let url;
        try { url = new URL(attr.value, location.href); } catch (e) { continue; }
        const known = template.includes('address ' + attr.value);  // the template's own, like its sms: link
        if (!known && (!allowed.schemes.includes(url.protocol) || url.username || url.password)) bad.push('address ' + attr.value);
      }
    }
  }
  if (location.href !== expected) bad.push('left for ' + location.href);
  return bad.concat(window.__ran);
}"""
TEMPLATE_SIGNATURES = """() => [...document.querySelectorAll('*')].flatMap(el => [[el.localName, el.namespaceURI,
  [...el.attributes].map(a => a.name).sort().join(' '), el.getAttribute('http-equiv') || '', el.getAttribute('rel') || '',
  el.getAttribute('type') || ''].join('|'), 'address ' + (el.getAttribute('href') || el.getAttribute('src') || '')])"""
# Run before any of the page's own code: a vector's script that ran leaves its mark here.
TRAPS = """window.__ran = [];
for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) window[name] = () => window.__ran.push(name);"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(folder):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_hostile_corpus_is_refused_with_its_lines_or_published_harmless_in_chromium(project, browser):
    started = time.monotonic()
    for template in TEMPLATES:  # the templates' own markup, to tell it from the vectors'
        project.write(f"content/plain-{template}.md", f"---\ntitle: Plain\ndescription: A plain page.\n"
                      f"last_reviewed: 2026-01-15\ntemplate: {template}\n---\nIntro.[^v]\n\n"
                      + "".join(f"## Question {n}\n\nText with a [link](https://example.org/).\n\n" for n in range(5))
                      + "[^v]: Source. [A title](https://example.org/)\n")
    refused, published = build_corpus(project)
    print(f"{len(refused)} vectors refused, {len(published)} published, built in {time.monotonic() - started:.1f} s")
    total = len(refused) + len(published)
    assert len(refused) >= total // 4 and len(published) >= total // 4, (len(refused), len(published))

    output = project.root / "output"
    pages = [page for page in site_pages(output) if re.fullmatch(r"v\d{4}/", page)]
    assert sorted(pages) == [f"v{number:04d}/" for number in published]
    allowed = {"elements": sorted(sanitize.ALLOWED_ELEMENTS), "global": sorted(sanitize.GLOBAL_ATTRIBUTES),
               "element": {tag: sorted(names) for tag, names in sanitize.ELEMENT_ATTRIBUTES.items()},
               "schemes": sorted(WEB_SCHEMES)}
    server = serve(output)
    origin = f"http://127.0.0.1:{server.server_port}/"
    # bypass_csp: the page's own policy would block inline code; here nothing but the check may stop it
    context = browser.new_context(bypass_csp=True, service_workers="block")
    context.add_init_script(TRAPS)
    # only requests that leave this machine are stopped here: routing every request through Python
    # would take longer than reading the pages
    context.route(re.compile("^(?!" + re.escape(origin) + ")"), lambda route: route.abort())
    events: list[str] = []
    tab = context.new_page()
    tab.on("dialog", lambda dialog: (events.append(f"dialog {dialog.message}"), dialog.dismiss()))
    tab.on("framenavigated", lambda frame: events.append(f"navigation {frame.url}") if frame == tab.main_frame else None)
    try:
        template: list[str] = []
        for name in TEMPLATES:
            tab.goto(origin + f"plain-{name}/")
            template += tab.evaluate(TEMPLATE_SIGNATURES)
        found = {}
        for page in pages:
            events.clear()
            tab.goto(origin + page, wait_until="domcontentloaded")
            try:
                bad = tab.evaluate(FIND_UNALLOWED, [allowed, template, origin + page])  # also the traps and where the tab is
            except PlaywrightError as error:  # a redirect left the page while it was read
                bad = [f"the page went away: {error.message[:100]}"]
            bad += [event for event in events if event != f"navigation {origin + page}"]
            if bad:
                found[page] = bad
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert not found, json.dumps(found, indent=1)[:4000]
