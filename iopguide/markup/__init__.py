"""Convert: each page's Markdown to checked, typeset HTML, with links resolved."""
