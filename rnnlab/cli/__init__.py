"""Command-line interface: one module per subcommand, wired up in :mod:`rnnlab.cli.main`."""
