"""The post-mortem's editable section: the cause and the follow-ups (the plan's 事后分析:
事故原因, 处理策略, 预案更新), written by people, kept by dbguard.

The section sits between two marker lines in the Markdown file. Writing the report again
regenerates everything else (the incident may have closed, a repair been added) and puts
the section back exactly as it was. A file whose markers were removed is not overwritten:
the writer refuses, so nobody's text is lost.
"""

from __future__ import annotations

from pathlib import Path

from dbguard.errors import DbguardError

START = "<!-- dbguard:notes:start: everything down to the notes:end line is yours; dbguard keeps it when it writes this report again -->"
END = "<!-- dbguard:notes:end -->"
START_PREFIX, END_PREFIX = "<!-- dbguard:notes:start", "<!-- dbguard:notes:end"

TEMPLATE = """
### Cause (事故原因)

_What happened, and why? What wrote the damaging change, and how did it get through?_

### Response (处理策略)

_What was done, in what order, and what to do differently. Does the backup strategy
(改进备份策略: retention, replication, schedule) need to change?_

### Plan updates (预案更新)

- [ ] _An expectation that would have caught it sooner (`expectations/<table>.json`, then
  `dbguard lint`)_
- [ ] _Changes to the runbook (`docs/RUNBOOK.md`) or the alert destinations_
- [ ] _Owner and date for each follow-up_
"""


class NotesMarkersMissing(DbguardError):
    """The Markdown file exists but its notes markers are gone: refuse to overwrite it."""


def kept_notes(markdown: Path) -> str | None:
    """The notes in an existing post-mortem (the text between the markers), or None when
    there is no file yet."""
    if not markdown.is_file():
        return None
    lines = markdown.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.lstrip().startswith(START_PREFIX)]
    ends = [i for i, line in enumerate(lines) if line.lstrip().startswith(END_PREFIX)]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise NotesMarkersMissing(
            f"{markdown} has no intact notes section (one '{START_PREFIX} …' line, then one"
            f" '{END}' line), so writing it again could lose what was written there",
            "put the two marker lines back around your notes, or move the file aside to"
            " start a new one",
        )
    return "".join(lines[starts[0] + 1 : ends[0]])


def notes_block(notes: str | None) -> str:
    """The section as it goes into the file: the markers around the kept (or new) notes."""
    body = TEMPLATE if notes is None else notes
    if body and not body.endswith("\n"):
        body += "\n"
    return f"{START}\n{body}{END}\n"


def split_notes(markdown: str) -> tuple[str, str, str]:
    """(before, notes, after) of a post-mortem's text; the markers themselves are dropped."""
    lines = markdown.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(START_PREFIX))
    end = next(i for i, line in enumerate(lines) if line.lstrip().startswith(END_PREFIX))
    return "".join(lines[:start]), "".join(lines[start + 1 : end]), "".join(lines[end + 1 :])
