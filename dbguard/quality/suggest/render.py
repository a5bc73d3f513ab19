"""The readable diff `dbguard suggest` prints, and its --json form."""

from __future__ import annotations

from typing import Any

from dbguard.quality.describe import describe_expectation, value_text
from dbguard.quality.suggest.apply import SuiteSuggestions
from dbguard.quality.suggest.proposal import Proposal


def proposal_text(proposal: Proposal) -> str:
    if proposal.freshness is not None:
        rule = proposal.freshness
        return (
            f"{rule['column']} is recent: warning after {rule['warning_after']},"
            f" critical after {rule['critical_after']}"
        )
    assert proposal.entry is not None
    entry = proposal.entry
    return describe_expectation(entry["type"], entry["kwargs"], entry.get("description", ""))


def evidence_text(proposal: Proposal) -> str:
    """The observed statistics that justify a proposal, in words."""
    if proposal.freshness is not None:
        seen = proposal.freshness["suggested"]["observed"]
        return f"typical gap {seen['typical_gap']}, newest {seen['newest']}"
    assert proposal.entry is not None
    seen = proposal.entry["meta"]["dbguard"]["suggested"]["observed"]
    rows = f"{seen['rows']:,} rows"
    texts = {
        "not_null": f"no NULL in {rows}",
        "unique": f"{seen.get('distinct', seen['rows']):,} distinct in {rows}"
        if "distinct" in seen
        else f"declared unique, {rows}",
        "in_set": f"{seen.get('distinct')} distinct values in {rows}",
        "reference": f"no orphan in {rows}",
    }
    if proposal.kind == "range":
        low, high = value_text(seen.get("minimum"), 40), value_text(seen.get("maximum"), 40)
        return f"observed {low} … {high} in {rows}"
    if proposal.kind == "format":
        if "format" in seen:
            return f"all {seen['matching']:,} values match"
        return f"every value is {seen.get('length')} characters long"
    return texts.get(proposal.kind, rows)


def diff_lines(results: list[SuiteSuggestions], *, written: bool) -> list[str]:
    lines: list[str] = []
    total = 0
    for result in results:
        state = "new suite" if result.created else "suite"
        lines.append(f"{result.table}  ({state} {result.path}, {result.rows:,} rows)")
        for proposal in result.proposals:
            lines.append(f"  + warning  {proposal_text(proposal)}  [{evidence_text(proposal)}]")
        if result.snapshot_added:
            lines.append(
                f"  + schema snapshot of {result.snapshot_added} columns (for drift checks)"
            )
        for skipped in result.not_proposed:
            lines.append(f"  · not proposed: {skipped.what}: {skipped.why}")
        if not result.proposals and not result.snapshot_added:
            lines.append("  = nothing new to propose")
        total += len(result.proposals)
    action = (
        "written as warnings: review them, promote good ones to critical, delete the others"
        if written
        else "nothing written: run again with --write to add them as warnings"
    )
    lines.append(f"{total} new rule(s) for {len(results)} table(s); {action}")
    return lines


def as_json(results: list[SuiteSuggestions]) -> list[dict[str, Any]]:
    return [
        {
            "table": result.table,
            "path": str(result.path),
            "created": result.created,
            "rows": result.rows,
            "written": result.written,
            "schema_snapshot_added": bool(result.snapshot_added),
            "proposals": [
                {
                    "kind": proposal.kind,
                    "columns": list(proposal.columns),
                    "text": proposal_text(proposal),
                    "evidence": evidence_text(proposal),
                    "entry": proposal.entry,
                    "freshness": proposal.freshness,
                }
                for proposal in result.proposals
            ],
            "not_proposed": [{"what": item.what, "why": item.why} for item in result.not_proposed],
        }
        for result in results
    ]
