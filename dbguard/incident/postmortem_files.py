"""`dbguard incident report`: the post-mortem of one incident written as `incident-<ID>.md`
and `incident-<ID>.html` in a folder, each atomically (temporary file, then rename).

The Markdown is written again from the history every time, with the notes section of the
existing file put back as it was; the HTML is rendered from that Markdown, so it shows the
notes too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dbguard.history import History, utc_now
from dbguard.incident.notes import kept_notes
from dbguard.incident.postmortem import postmortem_markdown
from dbguard.incident.postmortem_html import postmortem_html
from dbguard.incident.story import find_incident, incident_story
from dbguard.redact import mask_secrets

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PostmortemFiles:
    incident_id: int
    markdown: Path
    html: Path
    kept_notes: bool  # the notes of an existing file were carried over


def write_postmortem(
    history: History,
    database: str,
    folder: Path,
    incident_id: int | None = None,
    secrets: Sequence[str] = (),
) -> PostmortemFiles:
    """Write incident `incident_id`'s post-mortem (default: the newest incident of
    `database`) into `folder`; raise IncidentNotFound or NotesMarkersMissing (nothing is
    written then)."""
    incident = find_incident(history, database, incident_id)
    story = incident_story(history, incident, utc_now())
    markdown_path = folder / f"incident-{incident.id}.md"
    html_path = markdown_path.with_suffix(".html")
    notes = kept_notes(markdown_path)
    text = mask_secrets(postmortem_markdown(story, notes), list(secrets))
    page = postmortem_html(text, f"Incident {incident.id}: post-mortem", markdown_path.name)
    folder.mkdir(parents=True, exist_ok=True)
    _replace(markdown_path, text)
    _replace(html_path, page)
    log.info("post-mortem of incident %d written to %s", incident.id, markdown_path)
    return PostmortemFiles(incident.id, markdown_path, html_path, notes is not None)


def _replace(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
