"""Load: read site_config.yaml, the pages and the self-check, and check them against each other."""
