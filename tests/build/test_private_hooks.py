"""Code that reaches into another package's private parts is used only where it was proven, and a
private name it misses fails here, loudly, rather than leaving the site slower or its pages stale.

The Markdown shortcuts' own checks (each in place and running, and faster) are in
test_markdown_speedups.py; here: the versions, the template-reading hook, livereload's script, and
the site built with all of them left out."""
from __future__ import annotations

import filecmp
import importlib.metadata
import subprocess
import sys

import jinja2.meta
import pytest

from conftest import ROOT
from iopguide.commands import serve
from iopguide.markup import speedups
from iopguide.private_hooks import reason_to_stay_out
from iopguide.render import templates
from iopguide.source.config import load_config

HOOKS = {"Markdown": speedups, "Jinja2": templates, "livereload": serve}  # package → the module reaching into it


@pytest.mark.parametrize("package", HOOKS)
def test_each_hook_was_proven_on_the_pinned_version_which_is_the_one_installed(package):
    pins = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert pins[package] in HOOKS[package].PROVEN_ON
    assert importlib.metadata.version(package) in HOOKS[package].PROVEN_ON


def test_an_override_the_base_class_lacks_keeps_the_hooks_out():
    """What the hooks are checked for on import: a renamed or misspelt private method, on either side."""
    class Base:
        def _Base__handle(self) -> None: ...

    class Renamed(Base):
        def _Base__handle_it(self) -> None: ...

    class Faithful(Base):
        def _Base__handle(self) -> None: ...

    assert reason_to_stay_out("pkg", "1.0", ("1.0",), overrides=(Faithful,), needs=((Base, "_Base__handle"),)) is None
    assert reason_to_stay_out("pkg", "1.0", ("1.0",), overrides=(Renamed,)) == \
        "pkg 1.0 has no Base._Base__handle_it to override"
    assert reason_to_stay_out("pkg", "1.0", ("1.0",), needs=((Base, "_Base__apply"),)) == "pkg 1.0 has no Base._Base__apply"
    assert reason_to_stay_out("pkg", "2.0", ("1.0",), overrides=(Faithful,)) == "pkg 2.0 is installed, proven on pkg 1.0 only"


def test_the_template_hook_names_what_jinja_finds_in_every_template():
    """The planner remakes a page when something its template reads changes; the hook notes what each
    template reads as Jinja compiles it. Were the hook off, or reading less than Jinja's own
    jinja2.meta finds, a change would leave pages stale."""
    assert templates.NAMING_STAYS_OUT is None, templates.PARSED_AGAIN
    env = templates.make_environment(ROOT / "templates", load_config(ROOT / "site_config.yaml"))
    names = env.list_templates()
    assert len(names) > 10
    for name in names:
        env.get_template(name)
        assert name in env.named, f"compiling {name} noted nothing it reads"
        source = env.loader.get_source(env, name)[0]
        tree = env.parse(source, name)
        assert env.named[name] == (jinja2.meta.find_undeclared_variables(tree),
                                   list(jinja2.meta.find_referenced_templates(tree))), name


def test_the_reload_script_is_the_one_inside_livereload():
    client, left_out = serve.packaged_reload_client()
    assert client is not None, left_out
    assert b"LiveReload" in client


def test_without_livereloads_script_the_preview_says_why_and_serves_without_it(monkeypatch):
    """The preview then leaves the reload script out of its pages (test_serve.py serves one so)."""
    monkeypatch.setattr(serve, "CLIENT_FILE", "vendors/moved.js")
    assert serve.packaged_reload_client() == (None, f"livereload {importlib.metadata.version('livereload')} "
                                                    "has no vendors/moved.js")


# build.py, on versions of Python-Markdown and Jinja none of the hooks was proven on
UNPROVEN_BUILD = f"""import sys
sys.path.insert(0, {str(ROOT)!r})
import jinja2, markdown
markdown.__version__ = jinja2.__version__ = "0.0"
from iopguide.commands.cli import main
sys.exit(main())
"""


def test_on_unproven_versions_the_site_is_the_same_and_only_verbose_says_so(project):
    assert project.build("build", "--no-cache", "--output", "proven").code == 0
    verbose = subprocess.run([sys.executable, "-c", UNPROVEN_BUILD, "build", "--no-cache", "--verbose", "--output",
                              "unproven"], cwd=project.root, capture_output=True, text=True, timeout=120)
    assert verbose.returncode == 0, verbose.stderr
    said = [line.strip() for line in verbose.stdout.splitlines() if " off (" in line]
    assert said == ["Markdown shortcuts off (Markdown 0.0 is installed, proven on Markdown 3.11.3 only): "
                    "plain Python-Markdown converts the pages, the same pages more slowly",
                    "Template-reading hook off (Jinja2 0.0 is installed, proven on Jinja2 3.1.6 only): "
                    "templates are parsed again to plan what to remake, the same site more slowly"]
    same = filecmp.dircmp(project.root / "proven", project.root / "unproven")
    assert_same_files(same)
    quiet = subprocess.run([sys.executable, "-c", UNPROVEN_BUILD, "build", "--no-cache", "--output", "quiet"],
                           cwd=project.root, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0 and len(quiet.stdout.splitlines()) == 1 and not quiet.stderr, quiet.stdout


def assert_same_files(compared: filecmp.dircmp) -> None:
    """Every file in both folders, with the same bytes (filecmp compares contents, not only sizes)."""
    assert not compared.left_only and not compared.right_only
    _, differ, errors = filecmp.cmpfiles(compared.left, compared.right, compared.common_files, shallow=False)
    assert not differ and not errors, differ
    for sub in compared.subdirs.values():
        assert_same_files(sub)
