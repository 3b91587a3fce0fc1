"""Plan and write: what must be made again, the cache that says so, and the atomic publish."""
