"""``python -m cli``: the ``sheaf`` command."""

import sys

from .main import main

sys.exit(main())
