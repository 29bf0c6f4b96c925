"""Clause text: Markdown rendered and sanitised, versions compared clause by clause and word
by word, and the content hash printed on an issued letter."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr", "a",
}  # fmt: skip


def render_markdown(text: str) -> SafeString:
    """Clause Markdown as HTML with only harmless tags (no script, style, images or events)."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    return mark_safe(nh3.clean(html, tags=ALLOWED_TAGS, link_rel="noopener noreferrer"))


# A word is a run of anything but white space, with the white space after it (so a removed
# word and the added one beside it stay apart in a redline). ZWNJ (U+200C, نیم‌فاصله)
# joins the parts of one Persian word ("می‌شود"): it is not white space, so a word never
# splits on it.
_TOKENS = re.compile(r"\S+\s*|\s+")


def words(text: str) -> list[str]:
    return _TOKENS.findall(text or "")


@dataclass
class WordOp:
    tag: str  # "same", "added", "removed"
    text: str


def word_diff(old: str, new: str) -> list[WordOp]:
    """The change from `old` to `new`, word by word (white space kept)."""
    a, b = words(old), words(new)
    ops: list[WordOp] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(WordOp("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(WordOp("removed", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(WordOp("added", "".join(b[j1:j2])))
    return ops


@dataclass
class ClauseChange:
    key: str
    status: str  # "same", "changed", "added", "removed"
    old: object | None = None
    new: object | None = None
    title_ops: list[WordOp] = field(default_factory=list)
    body_ops: list[WordOp] = field(default_factory=list)

    @property
    def number(self) -> str:
        return (self.new or self.old).number  # type: ignore[union-attr]


def clause_text(clause) -> tuple[str, str, bool, str]:
    return (clause.title, clause.body, clause.requires_evidence, clause.evidence_label)


def compare_clauses(old_clauses, new_clauses) -> list[ClauseChange]:
    """Clause by clause (matched by their key across versions), in the new version's order
    with removed clauses where they stood in the old one."""
    old_by_key = {c.key: c for c in old_clauses}
    new_keys = {c.key for c in new_clauses}
    changes: list[ClauseChange] = []
    removed_after: dict[str | None, list] = {}
    previous = None
    for clause in old_clauses:
        if clause.key not in new_keys:
            removed_after.setdefault(previous, []).append(clause)
        else:
            previous = clause.key

    def add_removed(after):
        for clause in removed_after.get(after, []):
            changes.append(
                ClauseChange(
                    clause.key,
                    "removed",
                    old=clause,
                    title_ops=word_diff(clause.title, ""),
                    body_ops=word_diff(clause.body, ""),
                )
            )

    add_removed(None)
    for clause in new_clauses:
        old = old_by_key.get(clause.key)
        if old is None:
            status = "added"
        elif clause_text(old) == clause_text(clause) and old.number == clause.number:
            status = "same"
        else:
            status = "changed"
        changes.append(
            ClauseChange(
                clause.key,
                status,
                old=old,
                new=clause,
                title_ops=word_diff(old.title if old else "", clause.title),
                body_ops=word_diff(old.body if old else "", clause.body),
            )
        )
        if old is not None:
            add_removed(clause.key)
    return changes


def changed_keys(old_clauses, new_clauses) -> list[str]:
    """Keys of the new version's clauses whose text is new or different."""
    old_by_key = {c.key: clause_text(c) for c in old_clauses}
    return [c.key for c in new_clauses if old_by_key.get(c.key) != clause_text(c)]


def content_hash(version, clauses) -> str:
    """SHA-256 over the guideline's code and title, the version number and every clause."""
    payload = {
        "guideline": version.guideline.code,
        "title": version.guideline.title,
        "version": version.number,
        "clauses": [
            [c.number, c.title, c.body, c.requires_evidence, c.evidence_label] for c in clauses
        ],
    }
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()
