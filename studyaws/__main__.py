from studyaws.cli.main import main

raise SystemExit(main())
