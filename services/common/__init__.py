"""What every Message Center service needs once: settings, storage, errors, events, callers."""
