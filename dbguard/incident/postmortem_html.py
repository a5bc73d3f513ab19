"""The post-mortem as one offline HTML file, rendered from its Markdown (markdown-it-py, the
Markdown parser rich already brings): inline CSS, no script, no font, no image, nothing
fetched. Raw HTML in the Markdown is shown as text and images are not rendered, so no note
can make the page reach the network."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from dbguard.incident.notes import split_notes

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
       margin: 0; background: #f6f8fa; }
main { max-width: 60rem; margin: 2rem auto; padding: 1.5rem 2rem; background: #fff;
       border: 1px solid #d0d7de; border-radius: 6px; }
h1 { font-size: 1.6rem; margin-top: 0; } h2 { font-size: 1.25rem; margin-top: 2rem;
       border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { border: 1px solid #d0d7de;
       padding: .3rem .6rem; vertical-align: top; text-align: left; }
th { background: #f6f8fa; } code { background: #eff1f3; padding: .1rem .3rem;
       border-radius: 4px; font-size: 90%; }
section.notes { border-left: 4px solid #0969da; background: #f3f8ff; padding: .2rem 1rem;
       margin: 1rem 0; }
footer { color: #59636e; font-size: 85%; max-width: 60rem; margin: 0 auto 2rem; }
"""


def _renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")


def postmortem_html(markdown: str, title: str, markdown_name: str) -> str:
    """The page for `markdown` (a post-mortem with its notes markers)."""
    renderer = _renderer()
    before, notes, after = split_notes(markdown)
    body = (
        renderer.render(before)
        + f'<section class="notes">\n{renderer.render(notes)}</section>\n'
        + renderer.render(after)
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<main>\n{body}</main>\n"
        f"<footer>Edit the notes in {escape(markdown_name)}, then run the same"
        " <code>dbguard incident report</code> again: this page is rebuilt from it.</footer>\n"
        "</body>\n</html>\n"
    )
