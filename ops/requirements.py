"""Print the project's pinned run-time dependencies from pyproject.toml, one a line.

The image installs these in a layer of its own before the code is copied (so a code change does
not reinstall them), and ops/prodstack installs the same list into its fresh virtualenv; the
project itself is not installed: both run it from the source tree.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

pyproject = Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml")
for requirement in tomllib.loads(pyproject.read_text())["project"]["dependencies"]:
    print(requirement)
