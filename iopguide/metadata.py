"""What the site tells browsers, hosts and search engines: security headers and structured data.

The Content-Security-Policy is written here once and reaches readers two ways: a <meta> tag in every
page (for hosts that cannot set headers, like GitHub Pages) and the `_headers` file that Netlify and
Cloudflare Pages read.
"""
from __future__ import annotations

from markupsafe import Markup

from .structure import Page, SiteConfig

# Everything comes from the site itself: no inline script or style, no other origin, no plugins,
# no forms that post anywhere.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
}
# Browsers ignore (and warn about) frame-ancestors in a <meta> tag, so only the header carries it.
HEADER_ONLY_POLICY = {"frame-ancestors": "'none'"}

# Features this site never uses; denying them means injected code could not use them either.
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics")


def policy_text(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def csp_meta() -> str:
    return policy_text(CONTENT_SECURITY_POLICY)


def security_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": policy_text({**CONTENT_SECURITY_POLICY, **HEADER_ONLY_POLICY}),
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": ", ".join(f"{feature}=()" for feature in DENIED_FEATURES),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


# A hashed asset's content never changes under its name, so browsers and CDNs may keep it for a year;
# a page keeps its URL, so it must be checked with the host each time to show a new version at once.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def headers_file(pages: list[str], hashed_assets: list[str]) -> str:
    """The `_headers` file (Netlify and Cloudflare Pages format): the security headers for every path,
    then caching for each page and each hashed asset, paths from the site's root (`/`, `/faq/`).

    Every path gets its own caching block and `/*` none, because when two blocks match one request
    Cloudflare Pages joins their values into one header, which would make no sense for Cache-Control.
    """
    blocks = [("/*", security_headers())]
    blocks += [(f"/{path}", {"Cache-Control": REVALIDATE}) for path in sorted(pages)]
    blocks += [(f"/{path}", {"Cache-Control": IMMUTABLE}) for path in sorted(hashed_assets)]
    return "\n".join(f"{path}\n" + "".join(f"  {name}: {value}\n" for name, value in headers.items())
                     for path, headers in blocks)


def structured_data(page: Page, config: SiteConfig) -> list[dict]:
    """schema.org JSON-LD: every page is a MedicalWebPage with its review date; the FAQ is also an FAQPage."""
    url = config.base_url + page.url
    web_page: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": page.title,
        "description": page.meta.description,
        "url": url,
        "inLanguage": config.language,
        "lastReviewed": page.meta.last_reviewed.isoformat(),
        "isPartOf": {"@type": "WebSite", "name": config.site_name, "url": config.base_url},
    }
    if page.meta.reviewed_by:
        web_page["reviewedBy"] = {"@type": "Person", "name": page.meta.reviewed_by}
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


def plain_text(html: str) -> str:
    return Markup(html).striptags()


def open_graph_locale(language: str) -> str:
    """'en-US' → 'en_US', the form Open Graph expects."""
    return language.replace("-", "_")
