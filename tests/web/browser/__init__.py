"""The permit verification page in a real Chromium: verdicts from WebCrypto, offline, at phone width."""
