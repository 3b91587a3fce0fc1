"""The commands on top of the pipeline: build, check, serve (the preview), clean and new."""
