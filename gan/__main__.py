"""``python -m gan``: see `gan.cli`."""

import sys

from gan.cli import main

sys.exit(main())
