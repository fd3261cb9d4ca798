"""The app as `studyaws serve` runs it for each browser page (textual-serve starts this module
with its web driver): the collection in the serve's data folder, in served mode
(studyaws.tui.served). Not a command of its own."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="studyaws-served-app")
    parser.add_argument("--home", required=True)
    parser.add_argument("--import-root", type=Path)
    args = parser.parse_args(argv)

    from studyaws.core.config import database_url
    from studyaws.services.collection import open_collection
    from studyaws.tui.app import StudyApp, report_crash
    from studyaws.tui.served import Served

    engine = open_collection(args.home, db=database_url(None, args.home))
    app = StudyApp(engine, served=Served(data_folder=Path(args.home),
                                         import_root=args.import_root))
    app.run()
    if app.crash_error is not None:
        report_crash(app.crash_error, app.crash_report)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
