"""`python -m octt` runs the command line."""

from __future__ import annotations

import sys

from octt.cli import main

sys.exit(main())
