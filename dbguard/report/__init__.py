"""The quality run's report: summary, columns, trend charts, weekly Markdown, secret masking.

Modules here are imported lazily by the pytest hooks and the CLI; only
`redact` is light enough for the quick health path.
"""
