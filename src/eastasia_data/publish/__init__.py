"""Publishing the release: its exports and the metadata that registries and catalogues read."""
