"""What the package publishes from a release for people and machines: exports, the static site, figures."""
