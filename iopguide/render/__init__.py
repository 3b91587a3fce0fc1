"""Render: pages through the Jinja templates, with fingerprinted assets, headers and structured data."""
