"""Exports of the log: CSV that opens safely in a spreadsheet."""
