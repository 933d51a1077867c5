"""The systems librarian's commands: per-source maintenance, replace imports, backup, restore.

``sheaf source remove``, ``sheaf source edit``, ``sheaf import --replace``,
``sheaf backup`` and ``sheaf restore``, registered on the parser by
:mod:`cli.main`. Destructive steps say what they will do and ask
first; ``--yes`` answers for scripts.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

from harvest.config import CONFIG_NAME, LIST_METHODS, MARC_FLAVOURS, Home, validate_code
from harvest.errors import ConfigError, SheafError
from harvest.guard import DeletionRefused, check_deletions
from harvest.records import ImportSummary
from harvest.replace import apply_replace, plan_replace
from harvest.store import RecordStore

from . import logs
from .common import load, writing
from .indexing import index
from .progress import Progress

BACKUP_STORE = "store.sqlite"
BACKUP_MANIFEST = "backup.json"


class NotConfirmed(SheafError):
    """The librarian answered no (or nothing) to a destructive step."""


def confirm(question: str, yes: bool) -> None:
    """Ask on the terminal; raise NotConfirmed unless the answer is yes."""
    if yes:
        return
    print(f"{question} [y/N] ", end="", flush=True)
    answer = sys.stdin.readline() if sys.stdin is not None else ""
    if not (sys.stdin is not None and sys.stdin.isatty()):
        print()  # a piped answer is not echoed: end the prompt's line
    if answer.strip().lower() not in ("y", "yes"):
        raise NotConfirmed("not confirmed: nothing was changed (--yes confirms in scripts)")


# -- import --replace ---------------------------------------------------------------

def replace(home: Home, store: RecordStore, args, on_reject, on_warning) -> ImportSummary:
    """Plan a replace, say what it will do, ask, then do it."""
    progress = Progress()
    plan = plan_replace(home, store, args.source, args.paths, fmt=args.format,
                        on_reject=on_reject, flavour=args.flavour, encoding=args.encoding,
                        on_warning=on_warning,
                        progress=lambda n: progress.update(f"{args.source}: {n} records read"))
    progress.done()
    try:
        print(plan)
        skipped = len(plan.read.rejected)
        if skipped:
            print(f"  {skipped} records of the export could not be read; any of them that"
                  " is in the store is among those to be deleted")
            if args.strict:
                raise NotConfirmed(f"nothing replaced: {skipped} records could not be read"
                                   " (--strict)")
        if not args.allow_deletions:
            try:
                check_deletions(home, plan.source,
                                store.counts().get(plan.source, {}).get("records", 0),
                                plan.missing + plan.deleted, "import --replace")
            except DeletionRefused as exc:
                store.log_import(plan.source, "replace", plan.started, "refused", plan.read,
                                 messages=[str(exc)])
                raise
        if plan.missing:
            confirm(f"Delete {plan.missing} records of {plan.source} and apply the export?",
                    args.yes)
    except BaseException:
        plan.discard()
        raise
    return apply_replace(store, plan)


# -- source remove / edit -----------------------------------------------------------

def cmd_source_remove(args) -> int:

    home = load(args)
    code = validate_code(args.code)
    with writing(home, args, f"source remove {code}"), \
            RecordStore(home.store_path) as store:
        counts = store.counts().get(code, {"records": 0, "deleted": 0})
        if code not in home.sources and not sum(counts.values()):
            home.source(code)  # the unknown-source error
        print(f"{code}: {counts['records']} records (and {counts['deleted']} tombstones) will"
              " leave the store and the index")
        if counts["records"]:
            confirm(f"Remove source {code}?", args.yes)
        store.tombstone_source(code)
        note = _drop_from_index(home, store)
        gone = store.purge_source(code)
        home.remove_source(code)
        store.snapshot_counts()
    print(f"removed source {code}: {gone} rows left the store; {note}")
    logging.getLogger(logs.LOGGER).info("removed source %s: %d rows; %s", code, gone, note)
    return 0


def _drop_from_index(home: Home, store: RecordStore) -> str:
    """Apply the tombstones to the live index, if there is one that can be updated."""
    from discovery.engines import index_dir
    from indexer.errors import IndexerError

    try:
        live = index_dir(home).current()
    except IndexerError as exc:
        return f"the index was not updated ({exc})"
    if live is None:
        return "there is no index yet"
    if live.stale:
        return f"the index was not updated: {live.stale_reason}"
    report = index(home, store)
    return f"{report.removed} clusters left the index, {report.clusters} were rewritten"


_EDITABLE = (("name", "name"), ("marc", "path"), ("flavour", "flavour"),
             ("encoding", "encoding"), ("oai", "url"), ("prefix", "prefix"), ("set", "set_spec"),
             ("max_tries", "max_tries"), ("timeout", "timeout"), ("retry_cap", "retry_cap"),
             ("list_method", "list_method"), ("sweep_deletions", "sweep_deletions"))


def cmd_source_edit(args) -> int:

    home = load(args)
    old = home.source(args.code)
    changes = {}
    for option, key in _EDITABLE:
        value = getattr(args, option)
        if value is None:
            continue
        if option == "marc":
            value = os.path.abspath(os.path.expanduser(value))
            changes["kind"] = "marc"
        elif option == "oai":
            changes["kind"] = "oai"
        elif option == "sweep_deletions":
            value = value == "yes"
        elif value == "" and key in ("encoding", "set_spec"):
            value = None  # an empty value removes the setting
        changes[key] = value
    if not changes:
        raise ConfigError("nothing to change: give at least one option (see `sheaf source"
                          " edit --help`)")
    with writing(home, args, f"source edit {old.code}"):
        new = home.edit_source(old.code, **changes)
    changed = [key for key in changes if getattr(old, key) != getattr(new, key)]
    logging.getLogger(logs.LOGGER).info("source edit %s: %s", new.code, ", ".join(
        f"{k} {getattr(old, k)!r} -> {getattr(new, k)!r}" for k in changed) or "no change")
    print(f"source {new.code}: " + (", ".join(f"{k} {getattr(new, k)!r}" for k in changed)
                                     if changed else "nothing changed"))
    if {"name", "flavour", "encoding", "kind"} & set(changed):
        print(f"  run `sheaf index --source {new.code}` to map its records again")
    if {"path", "url", "prefix", "set_spec", "kind"} & set(changed):
        print(f"  its next harvest reads the new location: `sheaf harvest {new.code}`"
              + (" --full" if new.kind == "oai" else ""))
    return 0


def add_source_commands(src) -> None:
    s = src.add_parser("remove", help="remove a member library: its records leave the store"
                                      " and the index")
    s.add_argument("code")
    s.add_argument("--yes", action="store_true", help="do not ask")
    s.set_defaults(func=cmd_source_remove)

    s = src.add_parser("edit", help="change a member library's settings")
    s.add_argument("code")
    s.add_argument("--name")
    kind = s.add_mutually_exclusive_group()
    kind.add_argument("--marc", metavar="PATH_OR_GLOB", help="read MARC files from here")
    kind.add_argument("--oai", metavar="URL", help="harvest this OAI-PMH base URL")
    s.add_argument("--flavour", choices=MARC_FLAVOURS)
    s.add_argument("--encoding", metavar="ENC", help="character set override ('' removes it)")
    s.add_argument("--prefix", metavar="PREFIX")
    s.add_argument("--set", metavar="SPEC", help="OAI-PMH set ('' removes it)")
    s.add_argument("--max-tries", type=int, metavar="N")
    s.add_argument("--timeout", type=float, metavar="SECONDS")
    s.add_argument("--retry-cap", type=float, metavar="SECONDS")
    s.add_argument("--list-method", choices=LIST_METHODS)
    s.add_argument("--sweep-deletions", choices=("yes", "no"))
    s.set_defaults(func=cmd_source_edit)


# -- backup / restore ----------------------------------------------------------------

def cmd_backup(args) -> int:

    home = load(args)
    target = Path(args.dir).expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ConfigError(f"{target} exists and is not an empty directory")
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(target, 0o700)  # the configuration may hold the admin password
    tmp = target / (BACKUP_STORE + ".tmp")
    with RecordStore(home.store_path) as store:
        store.backup_to(tmp)  # consistent while harvests and searches go on
    with RecordStore(tmp) as copy:
        counts, seq = copy.counts(), copy.max_seq()
    os.replace(tmp, target / BACKUP_STORE)
    shutil.copyfile(home.config_path, target / CONFIG_NAME)
    for name in (BACKUP_STORE, CONFIG_NAME):
        os.chmod(target / name, 0o600)
    manifest = {"created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "home": str(home.path), "store_seq": seq, "sources": counts}
    (target / BACKUP_MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    total = sum(c["records"] for c in counts.values())
    logging.getLogger(logs.LOGGER).info("backup to %s: %d records, store change %d",
                                        target, total, seq)
    print(f"backed up {home.path} to {target}: {total} records of {len(counts)} sources,"
          f" store change {seq}")
    return 0


def cmd_restore(args) -> int:
    from indexer.generations import IndexDir

    source = Path(args.dir).expanduser().resolve()
    try:
        manifest = json.loads((source / BACKUP_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ConfigError(f"{source} is not a Sheaf backup (no readable {BACKUP_MANIFEST})"
                          ) from None
    if not (source / BACKUP_STORE).is_file():
        raise ConfigError(f"{source} is not a Sheaf backup (no {BACKUP_STORE})")
    path = Home.locate(args.home)
    if not (path / CONFIG_NAME).exists() and (source / CONFIG_NAME).exists():
        path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / CONFIG_NAME, path / CONFIG_NAME)
    home = load(args)
    total = sum(c.get("records", 0) for c in manifest.get("sources", {}).values())
    print(f"restoring the backup of {manifest.get('created')} ({total} records) into"
          f" {home.path}: the store's present records are replaced")
    confirm("Restore?", args.yes)
    with writing(home, args, "restore"):
        with RecordStore(home.store_path) as store:
            store.restore_from(source / BACKUP_STORE)
        logging.getLogger(logs.LOGGER).info("restored the store from %s (%s)", source,
                                            manifest.get("created"))
        IndexDir(home.index_path).mark_rebuild_needed(
            f"the store was restored from the backup of {manifest.get('created')}")
        backup_config = source / CONFIG_NAME
        if backup_config.exists() and backup_config.read_bytes() != home.config_path.read_bytes():
            shutil.copyfile(home.config_path, home.path / (CONFIG_NAME + ".before-restore"))
            tmp = home.path / (CONFIG_NAME + ".tmp")
            shutil.copyfile(backup_config, tmp)
            os.replace(tmp, home.config_path)
            print(f"configuration restored (the one it replaced is {CONFIG_NAME}.before-restore)")
        home = load(args)
        with RecordStore(home.store_path) as store:
            store.snapshot_counts()
            print("rebuilding the index from the restored store")
            report = index(home, store, rebuild=True)
    print(report)
    return 0


def add_commands(sub) -> None:
    s = sub.add_parser("backup", help="copy the store and configuration, while in use")
    s.add_argument("dir", metavar="DIR")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("restore", help="put a backup back and rebuild the index from it")
    s.add_argument("dir", metavar="DIR")
    s.add_argument("--yes", action="store_true", help="do not ask")
    s.set_defaults(func=cmd_restore)
