"""The site's templates, for the build and the preview alike: one digest of them all, what each
template reads (which the planner asks), and the Jinja environment, made only when needed."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from iopguide.fingerprints import digest
from iopguide.model import SiteConfig


class SiteTemplates:
    """The site's templates as one build or preview rebuild finds them: a digest of them all, what each
    one reads, and the Jinja environment that renders them. Jinja is loaded only when a page is
    rendered or a template's reads are not known yet (the build's cache keeps them)."""

    def __init__(self, templates_dir: Path, compiled: Path | None = None):
        self.dir = templates_dir
        self.config: SiteConfig | None = None  # set once it is loaded: the environment's globals come from it
        self.compiled = compiled  # where compiled templates are kept between builds, if anywhere
        files = sorted(path for path in templates_dir.rglob("*") if path.is_file())
        self.names = [path.relative_to(templates_dir).as_posix() for path in files]
        self.key = digest([(name, path.read_bytes()) for name, path in zip(self.names, files)])
        self.known: dict[str, frozenset[str] | None] = {}  # template name → what it reads
        self._envs: dict[str, Any] = {}

    @property
    def env(self) -> Any:  # a render.SiteEnvironment
        """The environment of the main language, which also answers what each template reads."""
        return self.env_for("")

    def env_for(self, code: str) -> Any:
        """The environment of language `code`: its globals are that language's words and settings.
        Every language's compiled templates are the same, kept once in the cache folder."""
        if code not in self._envs:
            from iopguide.render.templates import make_environment

            self._envs[code] = make_environment(self.dir, self.config.in_language(code), self.compiled)
        return self._envs[code]

    def reads(self, name: str) -> frozenset[str] | None:
        """The names `name` takes from the render context (render.templates.template_reads), worked out once per
        version of the templates."""
        if name not in self.known:
            from iopguide.render.templates import template_reads

            self.known[name] = template_reads(self.env, name)
        return self.known[name]

    def prepare(self, config: SiteConfig) -> None:
        """Do now what rendering pages will need first: load Jinja and Markdown, make the converter,
        compile every template, and work out what each one that makes a file reads. Called while the
        page files are read, on a core that would wait otherwise.

        The components are compiled here too, though only rendering imports them: once, rather
        than once in each worker. What a template reads comes from compiling it.
        """
        from iopguide.build.jobs import converter

        self.config = config
        converter()
        templates = [name for name in self.names if name.endswith((".html", ".xml", ".txt"))]
        try:
            for code in config.codes:  # each language's environment, so no worker loads them again
                for name in templates:
                    self.env_for(code).get_template(name)
            for name in templates:
                if "/" not in name:  # the templates in folders are components, which make no file
                    self.reads(name)
        except Exception:  # met again, and reported after the pages' own mistakes, where it is used
            return
