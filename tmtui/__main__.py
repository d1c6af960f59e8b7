from tmtui.cli import main

raise SystemExit(main())
