"""The guard on code that reaches into another package's private parts (the Markdown shortcuts, the
template-reading hook): such code is put in place only on the versions it was proven on, and only
while everything it overrides or calls is still there. Otherwise the package's public behaviour
is used, which makes the same site more slowly; `build.py build --verbose` says so."""
from __future__ import annotations


def reason_to_stay_out(package: str, version: str, proven_on: tuple[str, ...], overrides: tuple[type, ...] = (),
                       needs: tuple[tuple[object, str], ...] = ()) -> str | None:
    """Why hooks into `package` must stay out, or None when they may go in. A method a subclass in
    `overrides` defines must be one its base has: one the base renamed, or one misspelt here, would
    never be called, and the hook would stop without a sound. `needs`: (object, name) pairs the hooks use."""
    if version not in proven_on:
        return f"{package} {version} is installed, proven on {package} {' and '.join(proven_on)} only"
    for subclass in overrides:
        base = subclass.__mro__[1]
        missing = [name for name, value in vars(subclass).items() if callable(value) and not hasattr(base, name)]
        if missing:
            return f"{package} {version} has no {base.__name__}.{missing[0]} to override"
    for owner, name in needs:
        if not hasattr(owner, name):
            return f"{package} {version} has no {getattr(owner, '__name__', type(owner).__name__)}.{name}"
    return None
