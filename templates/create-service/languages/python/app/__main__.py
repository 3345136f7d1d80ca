"""`python -m app` runs the service."""

import sys

from app.main import main

sys.exit(main())
