"""The one way in for build, check and the preview: the config, then every page, asset and the
self-check, then the checks that need them all together."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from iopguide.errors import ContentError
from iopguide.fingerprints import Memo
from iopguide.model import BuildOptions, SiteConfig
from iopguide.source.config import load_config
from iopguide.source.pages import LoadedContent, SinceLastLoad, load_content
from iopguide.source.validate import validate_site


@dataclass(frozen=True)
class Remembered:
    """What earlier loads worked out, so unchanged files are not read or parsed again: configs by a
    digest of their text, page records by path (the build keeps them in its cache, the preview in
    memory), and for the preview what its last load found and which files changed since."""

    configs: Memo | None = None
    sources: Memo | None = None
    since: SinceLastLoad | None = None


@dataclass
class LoadedSite:
    config: SiteConfig
    content: LoadedContent


def load_site(options: BuildOptions, errors: list[ContentError], remembered: Remembered = Remembered(),
              while_reading: Callable[[SiteConfig], object] | None = None) -> LoadedSite:
    """Load and cross-check the whole site; its mistakes go to `errors`. A config that cannot be used
    raises BuildFailed, a missing content folder ContentError: nothing else can be checked then.

    `while_reading(config)` is called while worker processes read page files, if it comes to that.
    """
    config = load_config(options.config_path, options.base_url, remembered.configs)
    meanwhile = (lambda: while_reading(config)) if while_reading else None
    content = load_content(options.content_dir, config, options.drafts, errors, remembered.sources, meanwhile,
                           remembered.since)
    validate_site(config, content, options.templates_dir, errors)
    return LoadedSite(config, content)
