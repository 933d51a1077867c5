"""The home directory and sheaf.toml: created, read, and edited without losing a librarian's comments."""

from __future__ import annotations

import tomllib

import pytest

from harvest.config import SETTINGS, Home, Source, validate_code
from harvest.errors import ConfigError


def test_init_creates_a_loadable_home_with_default_settings(tmp_path):
    home = Home.init(tmp_path / "h")

    assert home.config_path == tmp_path / "h" / "sheaf.toml"
    assert home.sources == {}
    defaults = {s.name: s.default for s in SETTINGS}
    assert set(defaults) == {"site_name", "page_size", "max_page_size", "max_results_depth",
                             "serve_workers", "index_procs", "admin_token", "engine", "solr_url",
                             "solr_alias", "solr_shards", "solr_replicas", "engine_timeout",
                             "oai_repository_id", "oai_admin_email", "oai_list_size",
                             "oai_token_hours", "sru_default_records", "harvest_max_page_mb",
                             "bad_page_keep_kb", "bad_pages_run_mb", "admin_session_minutes",
                             "admin_lockout_minutes", "serve_threads", "serve_read_timeout",
                             "max_query_chars",
                             "max_query_words", "max_query_clauses", "max_token_chars",
                             "min_prefix_chars", "max_prefix_terms", "search_deadline",
                             "delete_guard_share", "delete_guard_min", "feed_silent_days",
                             "feed_shrink_share"}
    assert home.settings == defaults
    # the file is plain TOML a stdlib parser reads, every default written out with its help
    text = home.config_path.read_text(encoding="utf-8")
    assert tomllib.loads(text)["settings"] == defaults
    for s in SETTINGS:
        assert f"# {s.name}: {s.help}" in text


def test_init_leaves_an_existing_config_alone(tmp_path):
    home = Home.init(tmp_path)
    home.add_source(Source(code="vn", name="Thư viện", kind="marc", path="/data/vn.mrc"))
    before = home.config_path.read_text(encoding="utf-8")

    again = Home.init(tmp_path)

    assert home.config_path.read_text(encoding="utf-8") == before
    assert list(again.sources) == ["vn"]


def test_load_refuses_a_directory_that_is_not_a_home(tmp_path):
    with pytest.raises(ConfigError, match="not a Sheaf home"):
        Home.load(tmp_path)


def test_add_source_keeps_comments_and_layout(tmp_path):
    home = Home.init(tmp_path)
    librarian = ("# Consortium catalogue - edited by hand, keep this note.\n"
                 + home.config_path.read_text(encoding="utf-8").replace(
                     "[sources]", "[sources]\n# Members join in alphabetical order.")
                 + "\n# trailing note\n")
    home.config_path.write_text(librarian, encoding="utf-8")
    home = Home.load(tmp_path)

    home.add_source(Source(code="loc", name="Library of Congress", kind="marc",
                           path="/data/loc/*.mrc"))
    home.add_source(Source(code="zen", name="Zenodo", kind="oai",
                           url="https://zenodo.org/oai2d", prefix="oai_dc"))

    text = home.config_path.read_text(encoding="utf-8")
    assert text.startswith("# Consortium catalogue - edited by hand, keep this note.\n")
    for line in ("# Consortium catalogue - edited by hand, keep this note.",
                 "# Members join in alphabetical order.", "# trailing note",
                 "# page_size: Results per page when the request gives no limit."):
        assert line in text
    parsed = tomllib.loads(text)
    assert parsed["sources"] == {
        "loc": {"name": "Library of Congress", "kind": "marc", "path": "/data/loc/*.mrc",
                "flavour": "marc21"},
        "zen": {"name": "Zenodo", "kind": "oai", "url": "https://zenodo.org/oai2d",
                "prefix": "oai_dc"},
    }
    assert not list(tmp_path.glob("*.tmp"))


def test_chinese_and_vietnamese_names_round_trip(tmp_path):
    home = Home.init(tmp_path)
    names = {"nlc": "中国国家图书馆", "ntl": "國家圖書館（臺灣）",
             "nlv": "Thư viện Quốc gia Việt Nam"}
    for code, name in names.items():
        home.add_source(Source(code=code, name=name, kind="marc", path=f"/data/{code}.mrc"))

    loaded = Home.load(tmp_path)

    assert {code: s.name for code, s in loaded.sources.items()} == names
    assert loaded.source("ntl") == Source(code="ntl", name="國家圖書館（臺灣）", kind="marc",
                                          path="/data/ntl.mrc")
    # written as UTF-8 text, not as escapes
    assert "Thư viện Quốc gia Việt Nam" in home.config_path.read_text(encoding="utf-8")


def test_adding_a_source_twice_is_refused(tmp_path):
    home = Home.init(tmp_path)
    home.add_source(Source(code="loc", name="LC", kind="marc", path="/a.mrc"))
    with pytest.raises(ConfigError, match="already exists"):
        home.add_source(Source(code="loc", name="LC again", kind="marc", path="/b.mrc"))
    assert Home.load(tmp_path).source("loc").name == "LC"


@pytest.mark.parametrize("code", ["", "LOC", "1lib", "has space", "a" * 17, "lib.x", "图书馆"])
def test_bad_source_codes_are_rejected(code):
    with pytest.raises(ConfigError, match="bad source code"):
        validate_code(code)
    with pytest.raises(ConfigError):
        Source(code=code, name="x", kind="marc", path="/x.mrc")


@pytest.mark.parametrize("code", ["a", "loc", "nlv-hanoi", "lib_2", "a" * 16])
def test_good_source_codes_are_accepted(code):
    assert validate_code(code) == code


# regression: the code pattern ended with '$', which also matches before a final newline
def test_a_code_with_a_trailing_newline_is_rejected():
    with pytest.raises(ConfigError):
        validate_code("loc\n")


@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="marc"), "needs a path"),
    (dict(kind="oai"), "needs a url"),
    (dict(kind="ftp", path="/x"), "kind must be one of"),
    (dict(kind="marc", path="/x", flavour="cnmarc"), "flavour must be one of"),
    (dict(kind="marc", path="/x", name="  "), "name must not be empty"),
])
def test_incomplete_sources_are_rejected(kwargs, message):
    kwargs = {"code": "lib", "name": "Library", **kwargs}
    with pytest.raises(ConfigError, match=message):
        Source(**kwargs)


def test_unknown_setting_is_rejected(tmp_path):
    home = Home.init(tmp_path)
    text = home.config_path.read_text(encoding="utf-8")
    home.config_path.write_text(text.replace("page_size = 20", "page_size = 20\npagesize = 5"),
                                encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'pagesize'"):
        Home.load(tmp_path)


def test_setting_of_the_wrong_type_is_rejected(tmp_path):
    home = Home.init(tmp_path)
    text = home.config_path.read_text(encoding="utf-8")
    home.config_path.write_text(text.replace("page_size = 20", 'page_size = "20"'),
                                encoding="utf-8")
    with pytest.raises(ConfigError, match="'page_size' must be a int"):
        Home.load(tmp_path)


def test_a_changed_setting_is_read(tmp_path):
    home = Home.init(tmp_path)
    text = home.config_path.read_text(encoding="utf-8")
    home.config_path.write_text(text.replace('site_name = "Sheaf"', 'site_name = "联合目录"'),
                                encoding="utf-8")
    assert Home.load(tmp_path).settings["site_name"] == "联合目录"


def test_unknown_key_in_a_source_table_is_rejected(tmp_path):
    home = Home.init(tmp_path)
    home.add_source(Source(code="loc", name="LC", kind="marc", path="/a.mrc"))
    text = home.config_path.read_text(encoding="utf-8")
    home.config_path.write_text(text.replace('kind = "marc"', 'kind = "marc"\nformat = "x"'),
                                encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        Home.load(tmp_path)


def test_broken_toml_is_a_config_error(tmp_path):
    home = Home.init(tmp_path)
    home.config_path.write_text("[settings\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        Home.load(tmp_path)


def test_unknown_source_lists_the_known_ones(tmp_path):
    home = Home.init(tmp_path)
    with pytest.raises(ConfigError, match=r"unknown source 'x' \(known: none configured\)"):
        home.source("x")
    home.add_source(Source(code="vn", name="VN", kind="marc", path="/v.mrc"))
    with pytest.raises(ConfigError, match=r"known: vn"):
        home.source("x")


def test_locate_prefers_explicit_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEAF_HOME", str(tmp_path / "env"))
    assert Home.locate(tmp_path / "explicit") == (tmp_path / "explicit").resolve()
    assert Home.locate() == (tmp_path / "env").resolve()
    monkeypatch.delenv("SHEAF_HOME")
    monkeypatch.chdir(tmp_path)
    assert Home.locate() == (tmp_path / "sheaf-home").resolve()
