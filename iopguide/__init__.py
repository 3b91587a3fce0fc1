"""IOP Guide: a static-site generator for clear, private health information."""

__version__ = "0.1.0"
