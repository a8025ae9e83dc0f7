"""One module per ``gongshi`` subcommand; each exposes ``register(subparsers)``."""
