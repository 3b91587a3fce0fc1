"""What the site tells browsers, hosts and search engines: security headers and structured data.

The Content-Security-Policy is written here once and reaches readers two ways: a <meta> tag in every
page (for hosts that cannot set headers, like GitHub Pages) and the `_headers` file that Netlify and
Cloudflare Pages read. A browser enforces both, each on its own, so a page is held to the stricter.
"""
from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Iterable

from markupsafe import Markup

from iopguide.model import PageView, SiteConfig

# Everything comes from the site itself: no inline script or style, no other origin, no plugins,
# no forms that post anywhere.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
}
# The search page runs Pagefind (build/search_index.py), whose search engine is WebAssembly:
# compiling it needs 'wasm-unsafe-eval', which allows WebAssembly and still no eval of JavaScript.
# Only the search page's <meta> says so; every other page's <meta> keeps the policy above.
SEARCH_POLICY = {**CONTENT_SECURITY_POLICY, "script-src": "'self' 'wasm-unsafe-eval'"}
# Browsers ignore (and warn about) frame-ancestors in a <meta> tag, so only the header carries it.
HEADER_ONLY_POLICY = {"frame-ancestors": "'none'"}

# Features this site never uses; denying them means injected code could not use them either.
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics")


def policy_text(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def csp_meta(search: bool = False) -> str:
    """The <meta> policy of a page: the search page's allows WebAssembly, every other page's does not."""
    return policy_text(SEARCH_POLICY if search else CONTENT_SECURITY_POLICY)


def security_headers() -> dict[str, str]:
    """The headers every path gets. The header's policy is the search page's: one policy for every path,
    because two rules giving a path the same header do not mix safely — Cloudflare Pages joins their
    values into two policies, both enforced (WebAssembly would stay blocked on the search page), and
    Netlify has no way to take one back. Each page's <meta> narrows it again (the browser enforces
    both), so pages other than the search page refuse WebAssembly as before. Pagefind's worker, a
    script of its own, gets no <meta>: its policy is this header's, which lets it compile its engine."""
    return {
        "Content-Security-Policy": policy_text({**SEARCH_POLICY, **HEADER_ONLY_POLICY}),
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": ", ".join(f"{feature}=()" for feature in DENIED_FEATURES),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


# A hashed asset's content never changes under its name, so browsers and CDNs may keep it for a year;
# a page keeps its URL, so it must be checked with the host each time to show a new version at once.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def headers_file(pages: list[str], hashed_assets: list[str], search_files: Iterable[str] = ()) -> str:
    """The `_headers` file (Netlify and Cloudflare Pages format): the security headers for every path,
    then caching, paths from the site's root (`/`, `/faq/`): pages are revalidated, hashed assets kept,
    and the search bundle's files as `search_rules` says.

    Caching rules are patterns, so their number does not grow with the pages (Cloudflare Pages reads
    at most 100 rules). No path may match two caching rules: Cloudflare Pages would join their values
    into one header and Netlify would keep one of them, so `/*` sets no Cache-Control.
    """
    blocks = [("/*", security_headers())]
    blocks += [(rule, {"Cache-Control": REVALIDATE}) for rule in page_rules(pages, hashed_assets)]
    blocks += [(rule, {"Cache-Control": IMMUTABLE}) for rule in asset_rules(hashed_assets, pages)]
    blocks += [(rule, {"Cache-Control": cache}) for rule, cache in search_rules(search_files)]
    return "\n".join(f"{path}\n" + "".join(f"  {name}: {value}\n" for name, value in headers.items())
                     for path, headers in blocks)


def page_rules(pages: list[str], hashed_assets: list[str]) -> list[str]:
    """The pages of one folder share `/folder/:page/` ('faq/' → '/:page/'); the home page and `404.html`
    are named. Netlify reads `/:page/` as any one segment, with or without the slash, so in a folder
    that also holds a hashed file (which it would match too) each page is named instead."""
    asset_folders = {posixpath.dirname(path) for path in hashed_assets}
    rules = set()
    for page in pages:
        folder = posixpath.dirname(page.rstrip("/"))
        if not page.endswith("/") or folder in asset_folders:
            rules.add(f"/{page}")
        else:
            rules.add(f"/{folder}/:page/" if folder else "/:page/")
    return sorted(rules)


def asset_rules(hashed_assets: list[str], pages: list[str]) -> list[str]:
    """Hashed files share `/folder/*` for their outermost folder no page is under ('static/site.1a2b3c4d5e.css'
    → '/static/*'); one in a folder with pages is named. Netlify reads `/static/*` as every path that
    starts with `/static`, so no page path may even start with the folder's name."""
    ordered = sorted(pages)

    def holds_a_page(folder: str) -> bool:
        index = bisect.bisect_left(ordered, folder)
        return index < len(ordered) and ordered[index].startswith(folder)

    rules = set()
    for asset in hashed_assets:
        parts = asset.split("/")[:-1]
        folders = ("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
        free = next((folder for folder in folders if not holds_a_page(folder)), None)
        rules.add(f"/{free}/*" if free else f"/{asset}")
    return sorted(rules)


def search_rules(files: Iterable[str]) -> list[tuple[str, str]]:
    """Caching for Pagefind's bundle (pagefind/…): its folders hold only files named by their content
    ('pagefind/index/en-us_b086e4d.pf_index'), kept a year under one rule per folder; pagefind.js, its
    worker, its entry file and its WebAssembly keep their names from build to build and are named one
    by one, to be revalidated. The `.pf_meta` files, named by their content too, get no rule: their
    names change with every index, and naming them would change `_headers` with every edited page.
    Hosts revalidate a file no rule names."""
    rules = set()
    for path in files:
        folder, name = posixpath.split(path)
        if folder.count("/"):
            rules.add((f"/{folder}/*", IMMUTABLE))
        elif not name.endswith(".pf_meta"):
            rules.add((f"/{path}", REVALIDATE))
    return sorted(rules)


def structured_data(page: PageView, config: SiteConfig, editorial_policy: str | None, home: str) -> list[dict]:
    """schema.org JSON-LD: every page is a MedicalWebPage with its review date, who reviewed it and who
    publishes it; the FAQ is also an FAQPage. `editorial_policy` is below the site root or a full address;
    `home` is the home page of the page's language, below the site root: the site it is part of."""
    url = config.base_url + page.url
    web_page: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": page.title,
        "description": page.meta.description,
        "url": url,
        "inLanguage": config.language,
        "lastReviewed": page.meta.last_reviewed.isoformat(),
        "dateModified": (page.meta.last_updated or page.meta.last_reviewed).isoformat(),
        "isPartOf": {"@type": "WebSite", "name": config.site_name, "url": config.base_url + home},
        **publisher_data(config, editorial_policy),
    }
    if page.meta.reviewed_by:
        web_page["reviewedBy"] = {"@type": "Person", "name": page.meta.reviewed_by.name,
                                  "jobTitle": page.meta.reviewed_by.role}
    if page.meta.sources:
        web_page["citation"] = [{"@type": "CreativeWork", "name": source.title, "url": source.url}
                                for source in page.meta.sources]
    graph = [web_page]
    if page.meta.template == "faq" and page.sections:
        graph.append({
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "url": url,
            "mainEntity": [{
                "@type": "Question",
                "name": section.title_text,
                "acceptedAnswer": {"@type": "Answer", "text": plain_text(section.body_html)},
            } for section in page.sections],
        })
    return graph


def publisher_data(config: SiteConfig, editorial_policy: str | None) -> dict:
    """The publisher as a schema.org Organization, its funder and its editorial policy, as config gives them."""
    publisher = config.publisher
    organization = {"@type": "Organization", "name": publisher.name}
    if publisher.address:
        organization["address"] = publisher.address
    if publisher.contact:
        organization["url" if "://" in publisher.contact else "email"] = publisher.contact
    data: dict = {"publisher": organization}
    if publisher.funding:
        data["funder"] = {"@type": "Organization", "name": publisher.funding}
    if editorial_policy:
        data["publishingPrinciples"] = editorial_policy if "://" in editorial_policy else config.base_url + editorial_policy
    return data


def plain_text(html: str) -> str:
    """Text without tags, and without the numbers of citations, which mean nothing away from their notes."""
    return Markup(re.sub(r'<sup id="fnref[^"]*">.*?</sup>', "", html)).striptags()
