"""Development and test tooling: the embedded database, the mail sink, the demo seed."""
