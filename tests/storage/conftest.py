from tests.requests.conftest import store_url  # noqa: F401  (the same two databases)
