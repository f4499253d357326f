"""Caller personas as package data (one JSON file each; see `service.runner.callers`)."""
