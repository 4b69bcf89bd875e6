"""What a run keeps for the next one in the user's cache folder: scans, environments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jupyter_rees_ui import workflow
from jupyter_rees_ui.adapters.environment import clear_cache, environment_store, start_introspection
from jupyter_rees_ui.adapters.files import RACY_NS, ScanCache, scan_folder
from jupyter_rees_ui.adapters.store import Store, StoredScans, cache_folder, scan_store



def make_venv(where: Path) -> tuple[Path, Path]:
    """(interpreter, site-packages) of a fresh venv without pip."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    return python, Path(purelib)


def install(site: Path, name: str, version: str) -> None:
    """A distribution as an installer leaves it: its package and a .dist-info folder."""
    (site / name).mkdir()
    (site / name / "__init__.py").write_text("")
    info = site / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "RECORD").write_text(f"{name}/__init__.py,,\n{info.name}/METADATA,,\n{info.name}/RECORD,,\n")


def notebook(*cells: str, kernel: str = "python3") -> str:
    return json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": c}
                  for c in cells],
        "metadata": {"kernelspec": {"name": kernel, "display_name": kernel, "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    })


def settle(*paths: Path) -> None:
    """Age files past the racy window, as files edited a moment ago are not kept."""
    old = time.time_ns() - 10 * RACY_NS
    for path in paths:
        os.utime(path, ns=(old, old))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "a.ipynb").write_text(notebook("import numpy", "def broken(:\n    pass"))
    (root / "b.ipynb").write_text(notebook("import pandas as pd"))
    (root / "tool.py").write_text("import requests\n")
    settle(*root.iterdir())
    return root


def test_the_cache_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "jupyter-rees-ui"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "jupyter-rees-ui"


def test_store_round_trip_and_bad_entries(tmp_path):
    store = Store("things", max_entries=10, max_bytes=1 << 20, folder=tmp_path)
    assert store.get("a") is None
    value = {"x": (1, None, "two", [3.0, True]), "y": b"bytes"}
    assert store.put("a", value)
    assert store.get("a") == value
    assert store.get("b") is None
    # Another key that lands in the same file is a miss, not the other key's value.
    store.path("b").write_bytes(store.path("a").read_bytes())
    assert store.get("b") is None
    # A damaged or truncated file is a miss.
    data = store.path("a").read_bytes()
    for damaged in (b"", b"\x00garbage", data[: len(data) // 2]):
        store.path("a").write_bytes(damaged)
        assert store.get("a") is None
    assert not store.put("c", {"object": object()})  # only plain data
    assert not store.put("big", "x" * (1 << 20))  # over a quarter of the bound: not kept


def test_store_is_bounded_least_recently_used_first(tmp_path):
    store = Store("things", max_entries=3, max_bytes=1 << 20, folder=tmp_path)
    for i, key in enumerate("abc"):
        store.put(key, i)
        past = time.time_ns() - (10 - i) * 1_000_000_000
        os.utime(store.path(key), ns=(past, past))
    assert store.get("a") == 0  # used again: now the most recent
    store.put("d", 3)
    assert [store.get(k) for k in "abcd"] == [0, None, 2, 3]
    small = Store("bytes", max_entries=100, max_bytes=4000, folder=tmp_path)
    for i in range(10):
        small.put(str(i), "x" * 900)
    assert sum(p.stat().st_size for p in small.folder.iterdir()) <= 4000


def test_an_unwritable_cache_folder_means_no_cache(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = Store("things", max_entries=3, max_bytes=1 << 20, folder=blocker)
    assert not store.put("a", 1)
    assert store.get("a") is None


WRITER = """
import sys
from pathlib import Path
from jupyter_rees_ui.adapters.store import Store
store = Store("things", max_entries=4, max_bytes=64 << 20, folder=Path(sys.argv[1]))
me = int(sys.argv[2])
for i in range(150):
    store.put("shared", {"writer": me, "i": i, "payload": [me] * 20000})
    value = store.get("shared")
    assert value is None or value["payload"] == [value["writer"]] * 20000, "a torn entry"
"""


def test_concurrent_runs_never_see_a_torn_entry(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(i)], env=env, stderr=subprocess.PIPE)
        for i in range(4)
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    value = Store("things", max_entries=4, max_bytes=64 << 20, folder=tmp_path).get("shared")
    assert value["i"] == 149
    assert not list(tmp_path.rglob(".*.tmp"))  # every temporary file renamed or removed


def test_stored_scans_are_reused_until_a_file_changes(folder):
    first = ScanCache()
    stored = StoredScans(folder)
    assert stored.load_into(first) == 0
    cold = scan_folder(folder, cache=first)
    assert first.reads == 3 and stored.save_from(first)

    again = ScanCache()
    stored = StoredScans(folder)
    assert stored.load_into(again) == 3
    warm = scan_folder(folder, cache=again)
    assert again.reads == 0 and warm == cold
    assert not stored.save_from(again)  # nothing new to keep

    (folder / "b.ipynb").write_text(notebook("import pandas as pd", "import scipy"))
    (folder / "c.py").write_text("import yaml\n")
    (folder / "tool.py").unlink()
    settle(folder / "b.ipynb", folder / "c.py")
    changed = ScanCache()
    stored = StoredScans(folder)
    stored.load_into(changed)
    result = scan_folder(folder, cache=changed)
    assert changed.reads == 2  # the changed notebook and the new file, nothing else
    assert {s.top_level for s in result.imports} == {"numpy", "pandas", "scipy", "yaml"}
    assert stored.save_from(changed)
    assert set(scan_store().get(stored.key)) == {"a.ipynb", "b.ipynb", "c.py"}


def test_a_file_changed_within_the_racy_window_is_not_kept(folder):
    (folder / "b.ipynb").write_text(notebook("import pandas as pd"))  # mtime: now
    cache = ScanCache()
    stored = StoredScans(folder)
    scan_folder(folder, cache=cache)
    stored.save_from(cache)
    assert set(scan_store().get(stored.key)) == {"a.ipynb", "tool.py"}


def test_scans_of_every_cell_are_kept_apart(folder):
    for all_syntax in (True, False):
        cache = ScanCache()
        stored = StoredScans(folder, all_syntax=all_syntax)
        stored.load_into(cache)
        result = scan_folder(folder, cache=cache, all_syntax=all_syntax)
        stored.save_from(cache)
        assert cache.reads == 3
        # the broken cell holds no import: parsed only when every cell is
        assert any(i.kind == "syntax-error" for i in result.issues) == all_syntax
    plain = ScanCache()
    assert StoredScans(folder).load_into(plain) == 3
    assert all(not e.all_syntax for e in plain._entries.values())


def test_a_stored_environment_answers_until_its_site_folder_changes(tmp_path):
    python, site = make_venv(tmp_path / "venv")
    install(site, "first", "1.0")
    store = environment_store()
    clear_cache()
    pending = start_introspection(str(python), store=store)
    assert pending.process is not None  # nothing known yet: the script runs
    assert "first" in {d.name for d in pending.result().distributions}

    clear_cache()  # a new run: nothing in memory
    pending = start_introspection(str(python), store=store)
    assert pending.process is None and "first" in {d.name for d in pending.result().distributions}

    install(site, "second", "2.0")
    clear_cache()
    pending = start_introspection(str(python), store=store)
    assert pending.process is not None
    assert {"first", "second"} <= {d.name for d in pending.result().distributions}


def test_the_cli_keeps_nothing_with_no_cache_and_answers_the_same_warm(folder):
    def rees(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "jupyter_rees_ui.cli", *args], capture_output=True,
                              text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})

    bypass = rees("propose", str(folder), "--no-cache")
    assert bypass.returncode == 0, bypass.stderr
    assert not cache_folder().exists()
    cold, warm = rees("propose", str(folder)), rees("propose", str(folder))
    assert (cold.stdout, cold.stderr) == (warm.stdout, warm.stderr) == (bypass.stdout, bypass.stderr)
    kinds = {p.name for p in cache_folder().glob("*/*")}
    assert kinds == {"scans", "environments", "answers"}


def test_other_kernels_are_read_only_when_asked(folder, tmp_path, monkeypatch):
    """A second kernel whose interpreter leaves a mark each time it runs."""
    mark = tmp_path / "ran"
    wrapper = tmp_path / "bin" / "python"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho run >> "{mark}"\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    kernels = tmp_path / "data" / "kernels" / "other"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(wrapper), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Other", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "data"))
    (folder / "c.ipynb").write_text(notebook("import requests", kernel="other"))
    request = workflow.ProposeRequest(workflow.local_folder(str(folder)), compare_kernels=False)
    proposal = workflow.propose(request).proposal
    assert not mark.exists()
    assert any("2 different kernels" in str(note) for note in proposal.notes)
    workflow.propose(workflow.ProposeRequest(workflow.local_folder(str(folder)), compare_kernels=True))
    assert mark.exists()


def rees_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jupyter_rees_ui.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})


def answers_kept() -> int:
    return len(list(cache_folder().glob("*/answers/*.bin")))


def test_an_answer_is_replayed_only_while_its_inputs_are_unchanged(folder):
    cold = rees_cli("propose", str(folder))
    assert cold.returncode == 0 and answers_kept() == 1
    warm = rees_cli("propose", str(folder))
    assert (warm.stdout, warm.stderr, warm.returncode) == (cold.stdout, cold.stderr, cold.returncode)

    (folder / "b.ipynb").write_text(notebook("import pandas as pd", "import yaml"))
    settle(folder / "b.ipynb")
    changed = rees_cli("propose", str(folder))
    assert "yaml" in changed.stdout.lower() and "yaml" not in cold.stdout.lower()

    (folder / "requirements.txt").write_text("numpy\n")
    failing = rees_cli("check", str(folder))
    assert failing.returncode == 1 and "missing: pandas" in failing.stdout
    again = rees_cli("check", str(folder))
    assert (again.stdout, again.returncode) == (failing.stdout, 1)
    (folder / "requirements.txt").write_text("numpy\npandas\nrequests\npyyaml\n")
    fixed = rees_cli("check", str(folder))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


def test_a_folder_edited_during_the_run_is_not_remembered(folder, capsys):
    from jupyter_rees_ui.adapters.answers import RememberedAnswer

    def edit_while_running() -> int:
        print("an answer")
        (folder / "b.ipynb").write_text(notebook("import pandas as pd", "import scipy"))
        return 0

    answer = RememberedAnswer(["propose", str(folder)], str(folder))
    assert answer.replay() is None
    assert answer.record(edit_while_running) == 0
    # Kept under the folder as it was before the edit, which it no longer is: never replayed.
    assert RememberedAnswer(["propose", str(folder)], str(folder)).replay() is None
    settle(folder / "b.ipynb")
    assert RememberedAnswer(["propose", str(folder)], str(folder)).record(lambda: print("another") or 0) == 0
    assert answers_kept() == 1
    capsys.readouterr()
    assert RememberedAnswer(["propose", str(folder)], str(folder)).replay() == 0
    assert capsys.readouterr().out == "another\n"
    assert rees_cli("propose", str(folder), "--no-cache").returncode == 0
    assert answers_kept() == 1


def stored_run(folder: Path, **options) -> tuple[ScanCache, object]:
    """One command line's scan: the stored scans loaded, the folder scanned, saved."""
    cache = ScanCache()
    stored = StoredScans(folder, **options)
    stored.load_into(cache)
    result = scan_folder(folder, cache=cache, **options)
    stored.save_from(cache)
    return cache, result


def test_a_renamed_file_is_read_again_under_its_new_name(folder):
    stored_run(folder)
    (folder / "b.ipynb").rename(folder / "renamed.ipynb")
    cache, result = stored_run(folder)
    assert cache.reads == 1  # only the renamed file: its stored scan is under the old name
    assert {s.location.path for s in result.imports if s.top_level == "pandas"} == {"renamed.ipynb"}
    assert set(scan_store().get(StoredScans(folder).key)) == {"a.ipynb", "renamed.ipynb", "tool.py"}
    assert stored_run(folder)[0].reads == 0


def test_another_scanner_version_reads_every_file_again(folder, monkeypatch):
    from jupyter_rees_ui.adapters import store

    assert stored_run(folder)[0].reads == 3
    assert stored_run(folder)[0].reads == 0
    monkeypatch.setattr(store, "scanner_version", lambda: "another scanner")
    assert stored_run(folder)[0].reads == 3  # nothing reused from the older scanner
    assert stored_run(folder)[0].reads == 0


def test_every_stdlib_is_standard_in_every_python():
    """Stored scans leave these imports out: each target's scan would drop them anyway."""
    import stdlib_list

    from jupyter_rees_ui.adapters.store import EVERY_STDLIB
    from jupyter_rees_ui.core.stdlib import stdlib_names

    for version in (None, *stdlib_list.short_versions):
        assert EVERY_STDLIB <= stdlib_names(version), version


@pytest.mark.parametrize("target", [None, "2.7", "3.8"])
def test_a_warm_scan_finds_what_a_cold_one_finds_for_every_target(folder, target):
    (folder / "c.ipynb").write_text(notebook("import os, json, pathlib, typing, cPickle", "import urllib2, attr"))
    settle(folder / "c.ipynb")
    stored_run(folder)
    cache, _ = stored_run(folder)
    assert cache.reads == 0
    cold = scan_folder(folder, target_python=target)
    again = scan_folder(folder, target_python=target, cache=cache)
    assert cache.reads == 0 and again == cold


def test_a_shared_listing_gives_the_same_scan(folder):
    from jupyter_rees_ui.adapters.files import take_listing

    listing = take_listing(folder)
    assert listing.files == ("a.ipynb", "b.ipynb", "tool.py")
    assert scan_folder(folder, listing=listing) == scan_folder(folder)
    # Another folder's listing is not used.
    other = folder.parent / "other"
    other.mkdir()
    (other / "x.py").write_text("import yaml\n")
    assert {s.top_level for s in scan_folder(other, listing=listing).imports} == {"yaml"}


CONCURRENT = """
import sys
from jupyter_rees_ui.cli import main
sys.exit(main(["propose", sys.argv[1]]))
"""


def test_concurrent_runs_on_one_folder_agree_and_keep_a_whole_entry(folder):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    expected = rees_cli("propose", str(folder), "--no-cache")
    runs = [
        subprocess.Popen([sys.executable, "-c", CONCURRENT, str(folder)], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        assert (out, err) == (expected.stdout, expected.stderr)
    cache, _ = stored_run(folder)
    assert cache.reads == 0  # one whole entry for the folder, whichever run wrote last
    assert not list(cache_folder().rglob(".*.tmp"))


def test_a_packed_scan_comes_back_equal(tmp_path):
    """Stored scans and the scans of worker processes travel as plain tuples."""
    import dataclasses

    from jupyter_rees_ui.adapters.files import LOCATION_FIELDS, SITE_FIELDS, _pack, _unpack, read_and_scan
    from jupyter_rees_ui.core.model import ImportSite, Location

    assert tuple(f.name for f in dataclasses.fields(ImportSite)) == SITE_FIELDS
    assert tuple(f.name for f in dataclasses.fields(Location)) == LOCATION_FIELDS
    path = tmp_path / "all.ipynb"
    path.write_text(notebook(
        "try:\n    import ujson as json\nexcept ImportError:\n    import simplejson as json",
        "import sys\nif sys.platform == 'win32':\n    import winreg_helper",
        "from google.cloud import storage, bigquery\nimportlib.import_module('yaml')",
        "%pip install requests==2.0\n!conda install -y numpy",
        "%%writefile helper.py\nimport attr",
        "sys.path.append('lib')\npd.read_excel('x.xlsx')",
        "def broken(:\n    import x",
    ))
    scan = read_and_scan(path, "all.ipynb", all_syntax=True)
    assert scan.imports and scan.installs and scan.issues and scan.defined_modules and scan.path_entries
    assert scan.kernel and scan.triggers and any(s.marker for s in scan.imports)
    assert any(s.alternatives for s in scan.imports) and any(s.names for s in scan.imports)
    back = _unpack(_pack(scan))
    assert back == scan and hash(back.imports[0].location) == hash(scan.imports[0].location)
    assert back.imports[0].location < Location("zzz")


def test_a_damaged_stored_scan_means_that_file_is_read_again(folder):
    import marshal

    stored_run(folder)
    store = scan_store()
    key = StoredScans(folder).key
    value = store.get(key)
    size, mtime_ns, _ = value["a.ipynb"]
    bad = [b"", b"\x00garbage", marshal.dumps(("a.ipynb", (("numpy", (), "required", (), False, (), ""),), (), (), (), (), None, "python", ())),
           marshal.dumps((1, 2, 3)), marshal.dumps(("a.ipynb", "not a tuple", 0, 0, 0, 0, 0, 0, 0))]
    for blob in bad:
        store.put(key, {**value, "a.ipynb": (size, mtime_ns, blob)})
        cache, result = stored_run(folder)
        assert cache.reads == 1, blob  # the damaged one, and only it
        assert {s.top_level for s in result.imports} == {"numpy", "pandas", "requests"}
        store.put(key, value)


def test_an_answer_is_not_replayed_once_the_jupyter_config_changes(folder, tmp_path, monkeypatch):
    """c.Rees settings (here an override) come from the Jupyter config files: editing
    one is a change of what the answer came from."""
    config = tmp_path / "jupyter-config"
    config.mkdir()
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    before = rees_cli("propose", str(folder))
    assert before.returncode == 0 and "requests-fork" not in before.stdout
    settings = config / "jupyter_server_config.json"
    settings.write_text(json.dumps({"Rees": {"overrides": {"requests": "requests-fork"}}}))
    settle(settings)
    after = rees_cli("propose", str(folder))
    assert after.returncode == 0 and "requests-fork" in after.stdout
    settings.unlink()
    assert "requests-fork" not in rees_cli("propose", str(folder)).stdout


def test_an_answer_is_not_replayed_once_a_variable_moves_the_jupyter_folders(folder, tmp_path, monkeypatch):
    """The replay checks the config files in the folders the answer was recorded with:
    a variable that moves jupyter_core's folders (JUPYTER_CONFIG_PATH here) is part of
    the answer's key, so a config file in the newly named folder counts."""
    before = rees_cli("propose", str(folder))
    assert before.returncode == 0 and "requests-fork" not in before.stdout
    extra = tmp_path / "more-config"
    extra.mkdir()
    settings = extra / "jupyter_server_config.json"
    settings.write_text(json.dumps({"Rees": {"overrides": {"requests": "requests-fork"}}}))
    settle(settings)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(extra))
    after = rees_cli("propose", str(folder))
    assert after.returncode == 0 and "requests-fork" in after.stdout
    assert "requests-fork" in rees_cli("propose", str(folder)).stdout  # and replayed so


def test_an_answer_is_not_replayed_once_a_drop_in_config_file_appears(folder, tmp_path, monkeypatch):
    config = tmp_path / "jupyter-config"
    (config / "jupyter_server_config.d").mkdir(parents=True)
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    assert "requests-fork" not in rees_cli("propose", str(folder)).stdout
    drop_in = config / "jupyter_server_config.d" / "rees.json"
    drop_in.write_text(json.dumps({"Rees": {"overrides": {"requests": "requests-fork"}}}))
    settle(drop_in)
    assert "requests-fork" in rees_cli("propose", str(folder)).stdout


def test_an_answer_is_not_replayed_for_a_link_that_now_names_another_folder(folder, tmp_path):
    """The command line names the folder through a symbolic link: the answer is kept with
    the folder it resolved to, and a link moved elsewhere is another folder."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "c.ipynb").write_text(notebook("import yaml"))
    settle(*other.iterdir())
    link = tmp_path / "link"
    link.symlink_to(folder)
    first = rees_cli("propose", str(link))
    assert first.returncode == 0 and "pandas" in first.stdout
    link.unlink()
    link.symlink_to(other)
    moved = rees_cli("propose", str(link))
    assert moved.returncode == 0 and "pandas" not in moved.stdout and "yaml" in moved.stdout.lower()


def test_a_write_goes_through_a_private_temporary_file_beside_it(tmp_path):
    """The temporary file of an atomic write is new (a leftover of the same name is left
    alone), readable by its owner only, and gone once the value is in place, also when
    threads write the same entry at once."""
    import stat
    import threading

    from jupyter_rees_ui.adapters.store import _replace, _temporary_beside

    target = tmp_path / "entry.bin"
    leftover = tmp_path / f".entry.bin.{os.getpid()}.0.tmp"
    leftover.write_bytes(b"old")
    handle, temporary = _temporary_beside(str(target))
    os.close(handle)
    assert os.path.dirname(temporary) == str(tmp_path) and temporary != str(leftover)
    assert stat.S_IMODE(os.stat(temporary).st_mode) == 0o600
    assert leftover.read_bytes() == b"old"
    os.unlink(temporary)

    def write(value: bytes) -> None:
        for _ in range(20):
            _replace(str(target), value)

    threads = [threading.Thread(target=write, args=(bytes([i]) * 1000,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert target.read_bytes() in {bytes([i]) * 1000 for i in range(4)}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([leftover.name, target.name])


@pytest.mark.slow
def test_forked_readers_make_the_stored_forms_the_save_writes(tmp_path, monkeypatch):
    """With a StoredScans to save, the forked children that read the files also make each
    scan's stored form; it is what the parent would have made, and a later run loads
    from it the same scans."""
    import marshal

    from jupyter_rees_ui.adapters import files
    from jupyter_rees_ui.adapters.store import _stored_form

    root = tmp_path / "project"
    for i in range(40):
        path = root / f"d{i % 3}" / f"n{i}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(notebook(f"import m{i}\nimport os", "try:\n    import a\nexcept ImportError:\n    import b"))
        old = time.time() - 30
        os.utime(path, (old, old))
    monkeypatch.setattr(files, "_start_method", lambda available: "fork")
    monkeypatch.setattr(files, "PARALLEL_MIN_FORKED", 2)
    store = Store("scans", max_entries=10, max_bytes=1 << 24, folder=tmp_path / "cache")
    cache = ScanCache()
    stored = StoredScans(root, store=store)
    stored.load_into(cache)
    first = scan_folder(root, cache=cache, workers=2)
    entries = list(cache._entries.values())
    assert len(entries) == 40 and all(e.form is not None for e in entries)
    assert all(marshal.loads(e.form) == marshal.loads(_stored_form(e.scan)) for e in entries)
    assert stored.save_from(cache)
    again = ScanCache()
    assert StoredScans(root, store=store).load_into(again) == 40
    assert scan_folder(root, cache=again) == first and again.reads == 0
    plain = ScanCache()
    scan_folder(root, cache=plain, workers=2)  # no StoredScans: no forms made
    assert all(e.form is None for e in plain._entries.values())
