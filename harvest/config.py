"""The home directory and its ``sheaf.toml``: member libraries and settings.

Everything Sheaf keeps lives under one home directory::

    HOME/sheaf.toml     member libraries ([sources.CODE]) and [settings]
    HOME/store.sqlite   the record store (raw records, the truth)
    HOME/index/         index generations (derived, rebuildable)

The configuration is data: it is read with a TOML parser, never executed,
and edited with tomlkit so that a librarian's comments survive
``sheaf source add``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import tomlkit

from .errors import ConfigError

CONFIG_NAME = "sheaf.toml"
STORE_NAME = "store.sqlite"
INDEX_DIR = "index"
DEFAULT_HOME = "sheaf-home"

SOURCE_KINDS = ("marc", "oai")
MARC_FLAVOURS = ("marc21", "unimarc")
LIST_METHODS = ("auto", "records", "identifiers")
_CODE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,15}$")


@dataclass(frozen=True)
class Setting:
    """One configurable value with its default and the help the README shows."""

    name: str
    default: object
    help: str


SETTINGS = (
    Setting("site_name", "Sheaf", "Name shown in the page header and title."),
    Setting("page_size", 20, "Results per page when the request gives no limit."),
    Setting("max_page_size", 100, "Largest `limit` a search request may ask for."),
    Setting("max_results_depth", 10000,
            "Deepest result (page x limit) a search may reach; deeper pages are refused."),
    Setting("max_query_chars", 500,
            "Longest query a search may send, in characters (at most 1000); longer ones are"
            " refused with a 400."),
    Setting("max_query_words", 32,
            "Most words a query may have, all its parts together (at most 64); more are"
            " refused with a 400."),
    Setting("max_query_clauses", 16,
            "Most parts a query may join with OR and NOT (`a OR b OR c` has 3); more are"
            " refused with a 400."),
    Setting("max_token_chars", 64,
            "Longest word of a query, in characters; a longer one is refused with a 400."),
    Setting("min_prefix_chars", 3,
            "Fewest letters a truncated word (`hist*`) may have before its `*`."),
    Setting("max_prefix_terms", 300,
            "Most indexed words the truncated words of one query may stand for together,"
            " each field counted (`hist*` stands for history, historic, ... in titles,"
            " authors, subjects ...); more are refused with a 400."),
    Setting("search_deadline", 2.0,
            "Seconds one search may take (matching, ranking, facets, highlighting and"
            " did-you-mean); a search still running then stops with a 503 that says so."
            " `sheaf serve` gives its workers ten times as long (at least 60 s) before"
            " killing one."),
    Setting("serve_workers", 2, "Worker processes `sheaf serve` starts."),
    Setting("serve_threads", 16,
            "Threads in each worker, which answer requests read whole (a slow or idle client"
            " holds none: see \"Slow clients\"); a worker's threads share its searcher."),
    Setting("serve_read_timeout", 10,
            "Seconds a client has to send its whole request (headers and a body of up to"
            " 1 MB) to `sheaf serve`; one still sending then is answered 408 and dropped."),
    Setting("index_procs", 2,
            "Processes used by `sheaf index --rebuild` (values above 1 write several segments;"
            " each can hold about 1.8 GB while it writes a large collection)."),
    Setting("admin_token", "",
            "Password of the `/admin` pages (at least 16 characters); empty: no admin pages at all."),
    Setting("admin_session_minutes", 60,
            "Minutes an admin sign-in lasts; then the browser signs in again."),
    Setting("admin_lockout_minutes", 15,
            "Minutes a client is locked out of the admin sign-in after 10 wrong tokens in a"
            " row (from the 4th, each wrong token doubles the wait: 1 s, 2 s, 4 s ...)."),
    Setting("engine", "whoosh",
            "The search engine holding the index: `whoosh` (embedded, the default) or `solr`"
            " (SolrCloud: see \"Running on SolrCloud\")."),
    Setting("solr_url", "http://127.0.0.1:8983/solr",
            "SolrCloud's base URL (engine `solr`), or several separated by commas (a process"
            " starting while the first node is down then reaches the next); the other live"
            " nodes are found from them."),
    Setting("solr_alias", "sheaf",
            "The collection alias readers search (engine `solr`); generations are collections"
            " named after it."),
    Setting("solr_shards", 1,
            "Shards of each new collection (engine `solr`): 1 while one node holds the whole"
            " index (every search is then answered by one core, with exact facet counts);"
            " more when it does not (see \"Running on SolrCloud\")."),
    Setting("solr_replicas", 2, "Replicas of each shard (engine `solr`)."),
    Setting("engine_timeout", 10.0,
            "Seconds one request to one engine node may take (engine `solr`); a search's"
            " requests, failovers included, also end at its `search_deadline`."),
    Setting("sru_default_records", 10,
            "Records an SRU searchRetrieve returns when it gives no `maximumRecords`"
            " (at most `max_page_size`, never past `max_results_depth`)."),
    Setting("harvest_max_page_mb", 256,
            "Largest OAI-PMH page a harvest reads, in MiB, counted after decompression (gzip"
            " and deflate replies are inflated as they arrive; a bigger page is refused and"
            " reported, never inflated whole)."),
    Setting("bad_page_keep_kb", 1024,
            "KiB of each bad OAI-PMH page kept in `bad-pages/` (the start of the page; the"
            " index file notes what was cut)."),
    Setting("bad_pages_run_mb", 64,
            "MiB one harvest run may write into `bad-pages/`; later bad pages are only listed"
            " in the run's index file."),
    Setting("oai_repository_id", "sheaf",
            "The OAI-PMH provider's repository id, in its identifiers"
            " `oai:<id>:<source>:<local id>` (a domain name such as `union.example.org` also"
            " gets an oai-identifier description in Identify)."),
    Setting("oai_admin_email", "root@localhost",
            "The address the OAI-PMH provider's Identify gives harvesters to write to."),
    Setting("oai_list_size", 200,
            "Records (or headers) per OAI-PMH list response; the rest follow by resumption token."),
    Setting("oai_token_hours", 24,
            "Hours an OAI-PMH resumption token stays valid (tokens are signed and keep no"
            " state, so they survive restarts and index switches)."),
    Setting("delete_guard_share", 0.25,
            "Largest share of a source's live records one `import --replace`, one OAI-PMH"
            " deletion sweep or the deleted headers of one harvest may delete; more is refused"
            " (exit status 3, nothing more deleted) unless `--allow-deletions` confirms it."
            " `1.0` turns the guard off."),
    Setting("delete_guard_min", 5,
            "Deletions the guard always lets through, whatever their share: a small library's"
            " routine withdrawals (1 of its 3 records) are not a shrunken feed."),
    Setting("feed_silent_days", 7,
            "Days without a successful harvest or import after which a source's feed is"
            " reported silent (admin health page, `sheaf status`, `/status.json` alerts)."),
    Setting("feed_shrink_share", 0.2,
            "Drop in a source's live records (against its largest count of the last 30 days)"
            " or of the records a whole export holds (against the live records of the store)"
            " that is reported as a shrunk feed."),
)
ADMIN_TOKEN_MIN = 16
SETTING_DEFAULTS = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True)
class Source:
    """A member library: where its records come from and how to read them."""

    code: str
    name: str
    kind: str
    path: str | None = None          # kind "marc": a file or glob
    flavour: str = "marc21"          # kind "marc": marc21 or unimarc
    encoding: str | None = None      # kind "marc": override of the leader's charset
    url: str | None = None           # kind "oai": base URL
    prefix: str = "marc21"           # kind "oai": metadataPrefix
    set_spec: str | None = None      # kind "oai": optional set
    catalog_url: str | None = None   # the member's own catalogue: a URL with {local_id} or {id}
    # kind "oai": the source's own retry limits and harvesting choices
    max_tries: int = 6               # tries per request before the harvest fails
    timeout: float = 60.0            # seconds to wait for a response
    retry_cap: float = 600.0         # longest Retry-After wait honoured, in seconds
    list_method: str = "auto"        # auto: ListRecords, falling back to ListIdentifiers+GetRecord
    sweep_deletions: bool = False    # after a harvest, a ListIdentifiers pass finds vanished records

    def __post_init__(self):
        validate_code(self.code)
        if not self.name.strip():
            raise ConfigError(f"source {self.code!r}: name must not be empty")
        if self.kind not in SOURCE_KINDS:
            raise ConfigError(f"source {self.code!r}: kind must be one of {', '.join(SOURCE_KINDS)}")
        if self.kind == "marc":
            if not self.path:
                raise ConfigError(f"source {self.code!r}: a marc source needs a path")
            if self.flavour not in MARC_FLAVOURS:
                raise ConfigError(
                    f"source {self.code!r}: flavour must be one of {', '.join(MARC_FLAVOURS)}")
        if self.kind == "oai" and not self.url:
            raise ConfigError(f"source {self.code!r}: an oai source needs a url")
        if self.max_tries < 1:
            raise ConfigError(f"source {self.code!r}: max_tries must be at least 1")
        if self.timeout <= 0 or self.retry_cap < 0:
            raise ConfigError(f"source {self.code!r}: timeout must be positive and retry_cap"
                              " not negative")
        if self.catalog_url is not None and not re.match(r"https?://", self.catalog_url):
            raise ConfigError(f"source {self.code!r}: catalog_url must be an http(s) URL")
        if self.list_method not in LIST_METHODS:
            raise ConfigError(
                f"source {self.code!r}: list_method must be one of {', '.join(LIST_METHODS)}")

    def to_table(self) -> dict:
        keys = {"marc": ("path", "flavour", "encoding"),
                "oai": ("url", "prefix", "set_spec")}[self.kind] + ("catalog_url",)
        table = {"name": self.name, "kind": self.kind}
        for key in keys:
            value = getattr(self, key)
            if value is not None:
                table[key] = value
        if self.kind == "oai":
            # the tuning options are written only when they differ from the default
            for key in OAI_OPTIONS:
                value = getattr(self, key)
                if value != _FIELD_DEFAULTS[key]:
                    table[key] = value
        return table

    @classmethod
    def from_table(cls, code: str, table: dict) -> "Source":
        known = {"name", "kind", "path", "flavour", "encoding", "url", "prefix", "set_spec",
                 "catalog_url", *OAI_OPTIONS}
        unknown = set(table) - known
        if unknown:
            raise ConfigError(f"source {code!r}: unknown key(s) {', '.join(sorted(unknown))}")
        values = {}
        for key, value in table.items():
            if key in OAI_OPTIONS:
                values[key] = _option(code, key, value)
            else:
                values[key] = str(value) if value is not None else None
        try:
            return cls(code=code, **values)
        except TypeError as exc:
            raise ConfigError(f"source {code!r}: {exc}") from None


# Typed options of an oai source (the other keys are strings).
OAI_OPTIONS = {"max_tries": int, "timeout": float, "retry_cap": float, "list_method": str,
               "sweep_deletions": bool}
_FIELD_DEFAULTS = {f.name: f.default for f in fields(Source)}


def _option(code: str, key: str, value: object) -> object:
    kind = OAI_OPTIONS[key]
    if kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is str:
        return str(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if kind is float or float(value).is_integer():
            return kind(value)
    wanted = "number" if kind is float else kind.__name__
    raise ConfigError(f"source {code!r}: {key} must be a {wanted} (got {value!r})")


def validate_code(code: str) -> str:
    if not _CODE_RE.fullmatch(code or ""):
        raise ConfigError(
            f"bad source code {code!r}: use 1-16 lowercase letters, digits, '-' or '_',"
            " starting with a letter")
    return code


@dataclass
class Home:
    """The home directory and the configuration read from it."""

    path: Path
    sources: dict[str, Source] = field(default_factory=dict)
    settings: dict[str, object] = field(default_factory=lambda: dict(SETTING_DEFAULTS))

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG_NAME

    @property
    def store_path(self) -> Path:
        return self.path / STORE_NAME

    @property
    def index_path(self) -> Path:
        return self.path / INDEX_DIR

    @staticmethod
    def locate(explicit: str | os.PathLike | None = None) -> Path:
        """``--home``, else ``$SHEAF_HOME``, else ``./sheaf-home``."""
        chosen = explicit or os.environ.get("SHEAF_HOME") or DEFAULT_HOME
        return Path(chosen).expanduser().resolve()

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Home":
        home = cls(Path(path))
        if not home.config_path.is_file():
            raise ConfigError(f"{home.path} is not a Sheaf home (no {CONFIG_NAME}); run `sheaf init`")
        try:
            doc = tomlkit.parse(home.config_path.read_text(encoding="utf-8")).unwrap()
        except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
            raise ConfigError(f"cannot read {home.config_path}: {exc}") from None
        for code, table in (doc.get("sources") or {}).items():
            home.sources[code] = Source.from_table(code, table)
        for name, value in (doc.get("settings") or {}).items():
            if name not in SETTING_DEFAULTS:
                raise ConfigError(f"{home.config_path}: unknown setting {name!r}")
            default = SETTING_DEFAULTS[name]
            if type(value) is not type(default):
                raise ConfigError(
                    f"{home.config_path}: setting {name!r} must be a {type(default).__name__}")
            home.settings[name] = value
        token = home.settings["admin_token"]
        if token and len(token) < ADMIN_TOKEN_MIN:
            raise ConfigError(f"{home.config_path}: admin_token must be at least"
                              f" {ADMIN_TOKEN_MIN} characters (or empty: no admin pages)")
        return home

    @classmethod
    def init(cls, path: str | os.PathLike) -> "Home":
        home = cls(Path(path))
        home.path.mkdir(parents=True, exist_ok=True)
        if not home.config_path.exists():
            doc = tomlkit.document()
            doc.add(tomlkit.comment("Sheaf configuration: member libraries and settings."))
            doc.add(tomlkit.comment("Add libraries with `sheaf source add`; see README.md."))
            settings = tomlkit.table()
            for s in SETTINGS:
                settings.add(tomlkit.comment(f"{s.name}: {s.help}"))
                settings.add(s.name, s.default)
            doc.add("settings", settings)
            doc.add("sources", tomlkit.table())
            home.config_path.write_text(tomlkit.dumps(doc), encoding="utf-8")
        return cls.load(path)

    def source(self, code: str) -> Source:
        try:
            return self.sources[code]
        except KeyError:
            known = ", ".join(sorted(self.sources)) or "none configured"
            raise ConfigError(f"unknown source {code!r} (known: {known})") from None

    def add_source(self, source: Source) -> None:
        if source.code in self.sources:
            raise ConfigError(f"source {source.code!r} already exists")
        doc = tomlkit.parse(self.config_path.read_text(encoding="utf-8"))
        if "sources" not in doc:
            doc.add("sources", tomlkit.table())
        table = tomlkit.table()
        for key, value in source.to_table().items():
            table.add(key, value)
        doc["sources"][source.code] = table
        self._write(doc)
        self.sources[source.code] = source

    def edit_source(self, code: str, **changes) -> Source:
        """Change a source's settings (None removes an optional one); comments are kept."""
        old = self.source(code)
        changeable = {f.name for f in fields(Source)} - {"code", "name"}
        unknown = set(changes) - changeable - ({"name"} if changes.get("name") else set())
        if unknown:
            raise ConfigError(f"cannot change {', '.join(sorted(unknown))} of a source")
        values = {f.name: getattr(old, f.name) for f in fields(Source)}
        for key, value in changes.items():
            values[key] = _FIELD_DEFAULTS[key] if value is None else value
        new = Source(**values)
        doc = tomlkit.parse(self.config_path.read_text(encoding="utf-8"))
        table = doc["sources"][code]
        wanted = new.to_table()
        for key in [k for k in table if k not in wanted]:
            del table[key]
        for key, value in wanted.items():
            if table.get(key) != value:
                table[key] = value
        self._write(doc)
        self.sources[code] = new
        return new

    def remove_source(self, code: str) -> None:
        """Take a source out of ``sheaf.toml`` (its records are the store's business)."""
        doc = tomlkit.parse(self.config_path.read_text(encoding="utf-8"))
        sources = doc.get("sources")
        if sources is not None and code in sources:
            del sources[code]
            self._write(doc)
        self.sources.pop(code, None)

    def _write(self, doc) -> None:
        tmp = self.config_path.with_suffix(".toml.tmp")
        tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
        os.replace(tmp, self.config_path)
