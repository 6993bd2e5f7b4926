"""eastasia-data: the Russia-North Korea alignment and the responses to it, as tidy tables."""
