"""Great Expectations' log records during a quality run, turned into report notes."""

from __future__ import annotations

import logging

LIBRARY_LOGGER = "great_expectations"
LIBRARY_NOTES = 10


class LibraryLogs(logging.Filter):
    """Great Expectations' own log records, kept out of the checks' failure text.

    Left alone, GX's records (its temporary docs folder, its warnings) are captured by
    whichever check first builds the GX context and land in that check's failure text;
    pytest captures even loggers that do not propagate. A filter on each GX logger (a
    filter applies where a record is made) stops them: warnings and errors become notes
    in the report's summary, the rest is dropped. `close` gives GX its logging back.
    """

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []
        self.loggers = [
            logger
            for name, logger in logging.Logger.manager.loggerDict.items()
            if isinstance(logger, logging.Logger)
            and (name == LIBRARY_LOGGER or name.startswith(LIBRARY_LOGGER + "."))
        ] or [logging.getLogger(LIBRARY_LOGGER)]
        for logger in self.loggers:
            logger.addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING and len(self.messages) < LIBRARY_NOTES:
            text = " ".join(record.getMessage().split())
            self.messages.append(f"Great Expectations {record.levelname.lower()}: {text[:300]}")
        return False

    def close(self) -> None:
        for logger in self.loggers:
            logger.removeFilter(self)
