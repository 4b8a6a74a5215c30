"""Menu entries this app adds: (url name, label, roles that see it). See portal.navigation."""

MENU: list = []
