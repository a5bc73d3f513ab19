"""The commands a documentation page tells a user to type, read from its ```sh blocks, for
tests that follow the page literally.

A command is one line of a ```sh block (a trailing backslash joins the next line); a
comment after it may say `exit N`, the exit code the page promises (0 when it says none).
A block right after the HTML comment `<!-- walkthrough: skip (why) -->` is not run (the
install step); the comment must say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(\S*)\s*$")
SKIP_MARK = re.compile(r"^<!-- walkthrough: skip \((.+)\) -->$")
EXIT_NOTE = re.compile(r"\bexit (\d+)\b")


@dataclass(frozen=True)
class PageCommand:
    line: int  # where the page has it (1-based)
    command: str  # the shell text, without its comment
    comment: str
    expected_exit: int


@dataclass(frozen=True)
class ShellBlock:
    line: int
    commands: tuple[PageCommand, ...]
    skipped_because: str = ""


def shell_blocks(page: Path) -> list[ShellBlock]:
    """Every ```sh block of `page`, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[ShellBlock] = []
    index = 0
    while index < len(lines):
        opened = FENCE.match(lines[index])
        if not opened:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        if opened.group(1) == "sh":
            skip = SKIP_MARK.match(lines[index - 1]) if index else None
            commands = _commands(lines[index + 1 : end], first_line=index + 2)
            blocks.append(ShellBlock(index + 1, tuple(commands), skip.group(1) if skip else ""))
        index = end + 1
    return blocks


def _commands(lines: list[str], first_line: int) -> list[PageCommand]:
    commands = []
    pending, start = "", first_line
    for offset, text in enumerate(lines):
        if not pending:
            start = first_line + offset
        if text.rstrip().endswith("\\"):
            pending += text.rstrip()[:-1] + " "
            continue
        whole, pending = pending + text, ""
        command, comment = _split_comment(whole)
        if not command.strip():
            continue
        note = EXIT_NOTE.search(comment)
        expected = int(note.group(1)) if note else 0
        commands.append(PageCommand(start, command.strip(), comment.strip(), expected))
    return commands


def _split_comment(text: str) -> tuple[str, str]:
    """The command and its trailing comment: a `#` outside quotes that starts a word."""
    quote = ""
    for position, character in enumerate(text):
        if quote:
            if character == quote:
                quote = ""
        elif character in "'\"":
            quote = character
        elif character == "#" and (position == 0 or text[position - 1].isspace()):
            return text[:position], text[position + 1 :]
    return text, ""
