"""dbguard: trustworthy backups and data-quality checks for a live SQLite database."""

__version__ = "0.1.0"
