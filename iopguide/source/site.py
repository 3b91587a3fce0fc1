"""The one way in for build, check and the preview: the config, then every page, asset, the
self-check and the glossaries, then the checks that need them all together."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from iopguide.errors import ContentError
from iopguide.model import BuildOptions, SiteConfig
from iopguide.source.config import load_config
from iopguide.source.glossary import load_glossaries
from iopguide.source.pages import NOTHING_REMEMBERED, LoadedContent, Remembered, load_content
from iopguide.source.validate import validate_site


@dataclass
class LoadedSite:
    config: SiteConfig
    content: LoadedContent


def load_site(options: BuildOptions, errors: list[ContentError], remembered: Remembered = NOTHING_REMEMBERED,
              while_reading: Callable[[SiteConfig], object] | None = None) -> LoadedSite:
    """Load and cross-check the whole site; its mistakes go to `errors`. A config that cannot be used
    raises BuildFailed, a missing content folder ContentError: nothing else can be checked then.

    `while_reading(config)` is called while worker processes read page files, if it comes to that.
    """
    config = load_config(options.config_path, options.base_url, remembered.configs)
    meanwhile = (lambda: while_reading(config)) if while_reading else None
    content = load_content(options.content_dir, config, options.drafts, errors, remembered, meanwhile)
    content.glossaries = load_glossaries(options.content_dir, config.codes, errors)
    validate_site(config, content, options.templates_dir, errors)
    return LoadedSite(config, content)
