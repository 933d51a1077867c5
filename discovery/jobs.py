"""Background jobs the admin page starts: a harvest or a re-index of one source, or a
librarian's cluster decision (``sheaf clusters split|join|undo``, which updates the index).

A job is the ``sheaf`` command line run in a process of its own, so the
writer lock is held by that process and never by a web worker. The web
worker starts ``python -m discovery.jobs HOME ID``, which detaches at once
(the worker does not wait, and no zombie is left behind) and then runs the
job's steps as ``sheaf`` commands, its output going to ``HOME/jobs/ID.log``.
``HOME/jobs/ID.json`` says what the job is, its state (``starting``,
``running``, ``ok``, ``failed``, ``busy``), its pid and exit status.

A second job while one is running, or while any other writer holds the
lock, is refused with :class:`harvest.lock.Busy`.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from harvest import lock
from harvest.config import Home
from harvest.errors import ConfigError

JOBS_DIR = "jobs"
KEEP = 30                 # job files kept
EXIT_BUSY = 75            # what `sheaf` exits with when another writer holds the lock
START_GRACE = 60.0        # seconds a job may stay "starting" before it counts as lost
# action -> (label, steps(source code, arguments)); SOURCE_ACTIONS name a member library
ACTIONS = {
    "harvest": ("harvest and index", lambda code, _args: [["harvest", code], ["index"]]),
    "index": ("re-index", lambda code, _args: [["index", "--source", code]]),
    "split": ("split a cluster", lambda _code, args: [["clusters", "split", *args]]),
    "join": ("join clusters", lambda _code, args: [["clusters", "join", *args]]),
    "undo": ("undo a cluster decision", lambda _code, args: [["clusters", "undo", *args]]),
}
SOURCE_ACTIONS = ("harvest", "index")
ACTIVE = ("starting", "running")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Job:
    id: str
    action: str
    source: str
    steps: list[list[str]]
    args: list[str] = field(default_factory=list)
    state: str = "starting"
    created: str = field(default_factory=_now)
    created_at: float = field(default_factory=time.time)
    started: str | None = None
    finished: str | None = None
    pid: int | None = None
    exit: int | None = None

    @property
    def label(self) -> str:
        return f"{ACTIONS[self.action][0]} {self.source or (self.args or [''])[0]}".strip()

    @property
    def active(self) -> bool:
        if self.state not in ACTIVE:
            return False
        if self.pid is None:
            return time.time() - self.created_at < START_GRACE
        return lock._alive(self.pid)

    @property
    def shown_state(self) -> str:
        """The state, with a job whose process vanished (killed) shown as ``lost``."""
        return "lost" if self.state in ACTIVE and not self.active else self.state


def jobs_dir(home: Home) -> Path:
    return home.path / JOBS_DIR


def _json_path(home: Home, job_id: str) -> Path:
    return jobs_dir(home) / f"{job_id}.json"


def log_path(home: Home, job_id: str) -> Path:
    return jobs_dir(home) / f"{job_id}.log"


def _save(home: Home, job: Job) -> None:
    path = _json_path(home, job.id)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(job)), encoding="utf-8")
    os.replace(tmp, path)


def get(home: Home, job_id: str) -> Job | None:
    if not job_id.replace("-", "").isalnum():
        return None
    try:
        return Job(**json.loads(_json_path(home, job_id).read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError, TypeError):
        return None


def recent(home: Home, limit: int = 10) -> list[Job]:
    """Jobs, newest first."""
    paths = sorted(jobs_dir(home).glob("*.json"), reverse=True)[:limit]
    return [job for job in (get(home, p.stem) for p in paths) if job is not None]


def log_tail(home: Home, job_id: str, lines: int = 15) -> list[str]:
    try:
        with open(log_path(home, job_id), "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 8192))
            text = fh.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return [line.rsplit("\r", 1)[-1] for line in text.splitlines()][-lines:]


def busy(home: Home) -> str | None:
    """Why a job cannot start now (``busy: ...``), or None."""
    holder = lock.holder(home)
    if holder is not None:
        return f"busy: {holder}"
    for job in recent(home, limit=5):
        if job.active:
            return f"busy: {job.label} since {job.created.replace('T', ' ').replace('Z', ' UTC')}"
    return None


def start(home: Home, action: str, source: str = "", args: list[str] | tuple = ()) -> Job:
    """Start a job in the background; raises Busy if a writer or a job is running."""
    if action not in ACTIONS:
        raise ConfigError(f"unknown job {action!r}")
    if action in SOURCE_ACTIONS:
        home.source(source)
    directory = jobs_dir(home)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".start.lock", "a") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # two clicks in two workers: one job
        reason = busy(home)
        if reason:
            raise lock.Busy(reason)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        job = Job(id=f"{stamp}-{secrets.token_hex(3)}", action=action, source=source,
                  steps=ACTIONS[action][1](source, list(args)), args=list(args))
        _save(home, job)
    subprocess.run([sys.executable, "-m", "discovery.jobs", str(home.path), job.id],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60, check=False)
    _prune(home)
    return job


def _prune(home: Home) -> None:
    for path in sorted(jobs_dir(home).glob("*.json"), reverse=True)[KEEP:]:
        job = get(home, path.stem)
        if job is not None and job.active:
            continue
        path.unlink(missing_ok=True)
        log_path(home, path.stem).unlink(missing_ok=True)


def _run(home: Home, job: Job) -> None:
    """The detached job process: run each step as a ``sheaf`` command, stop at a failure."""
    fd = os.open(log_path(home, job.id), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.environ.setdefault("SHEAF_PROGRESS_INTERVAL", "1")
    job.state, job.pid, job.started = "running", os.getpid(), _now()
    _save(home, job)
    code = 0
    try:
        for step in job.steps:
            print(f"$ sheaf {' '.join(step)}", flush=True)
            # the command line is the layer above this one: run it, do not import it
            code = subprocess.run([sys.executable, "-m", "cli", "--home", str(home.path), *step],
                                  stdin=subprocess.DEVNULL, check=False).returncode
            if code != 0:
                break
    except BaseException as exc:  # noqa: BLE001  (the job file must say it ended)
        print(f"sheaf: error: {exc!r}", file=sys.stderr, flush=True)
        code = 1
    job.exit = code
    job.state = "ok" if code == 0 else ("busy" if code == EXIT_BUSY else "failed")
    job.finished = _now()
    _save(home, job)


def main(argv: list[str]) -> int:
    home_path, job_id = argv
    home = Home.load(home_path)
    job = get(home, job_id)
    if job is None or job.state != "starting":
        return 1
    if os.fork():
        return 0  # the web worker's child returns at once; the grandchild runs the job
    os.setsid()
    try:
        _run(home, job)
    finally:
        os._exit(0)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
