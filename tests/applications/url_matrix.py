"""This app's rows of the URL × method × role matrix in tests/test_permissions.py (format:
tests/matrix.py)."""

MATRIX: dict = {}
