"""The log's domain: entries, actors, filters, cursors and the validation of incoming events."""
