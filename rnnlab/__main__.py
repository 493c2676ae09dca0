"""``python -m rnnlab`` is the same as the ``rnnlab`` command."""

from rnnlab.cli.main import main

raise SystemExit(main())
