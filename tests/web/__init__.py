"""Tests of localgov.web: the API, the citizen pages, the verification page."""
