"""``python -m ui.i18n``: compile the languages' .qm files from their .ts sources (``make i18n``)."""

import sys

from ui.i18n import main

sys.exit(main())
