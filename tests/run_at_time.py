"""`python run_at_time.py WHEN ARGS...`: the real `studyaws ARGS...`, on a machine whose
clock says WHEN (an ISO time with its offset). Only the reading of the system clock is
replaced; everything from there on is the command's own code."""

from __future__ import annotations

import sys
from datetime import datetime

from studyaws.core import clock

when = datetime.fromisoformat(sys.argv[1])
clock.system_now = lambda: when

from studyaws.cli.main import main  # noqa: E402  (after the clock is set, as a machine's would be)

sys.exit(main(sys.argv[2:]))
