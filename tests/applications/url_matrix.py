"""This app's rows of the URL × role matrix in tests/test_permissions.py.

Format: ``"namespace:url-name": (method, path, anonymous status, status or {role: status})``
where ``path`` may be a callable ``(tree) -> str`` that creates the objects the URL needs from
the ``tree`` fixture (tests/conftest.py) and the roles are ``test_permissions.ROLES``.
"""

from tests.applications.url_matrix_api import API_MATRIX

MATRIX: dict = {**API_MATRIX}
