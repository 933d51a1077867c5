"""Harvests and imports in one shape, with secrets masked: what monitoring and the
harvest health report show of a run (:mod:`discovery.monitor`, :mod:`discovery.feeds`)."""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
RUN_FIELDS = ("status", "started", "finished", "records", "new", "changed", "deleted", "errors")


def mask(text: str) -> str:
    """Text with the user:password part of any URL in it masked."""
    return _USERINFO.sub("***@", text)


def _lines(text: str | None) -> list[str]:
    return [mask(line) for line in (text or "").splitlines() if line.strip()]


def from_harvest(run: dict) -> dict:
    """An OAI-PMH harvest run (:class:`harvest.runs.HarvestRun` as a dict)."""
    out = {"kind": "harvest", **{k: run[k] for k in RUN_FIELDS}}
    out["messages"] = _lines(run.get("messages"))
    return out


def from_import(row: dict) -> dict:
    """A row of the store's import history (``import``, ``replace``, a MARC source's harvest)."""
    out = {"kind": row["kind"], "status": row["status"], "started": row["started"],
           "finished": row["finished"], "records": row["read"], "new": row["new"],
           "changed": row["changed"], "deleted": row["deleted"],
           "errors": row["skipped"] + (1 if row["status"] in ("failed", "refused") else 0)}
    out["messages"] = _lines(row.get("messages"))
    return out
