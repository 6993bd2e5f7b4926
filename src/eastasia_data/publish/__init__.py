"""What the package publishes from a release for people and machines: exports and the metadata
registries and catalogues read (DataCite, Croissant's responsible-AI fields), and the static site."""
