"""Fixtures for the SOQL tests: the fixture files are read at collection time (see `load_lines`)."""
