"""What the plugin boundary contains, through `crm`: every survivable broken
plugin is listed with its reason while the other commands work; a plugin
whose stop() throws an int leaves the import it ran beside committed;
`crm plugins check` finds the crashing and hanging ones in child processes,
and afterwards every command works with them present until the file changes."""
import json
import os
import shutil
import time

CONTAINED = os.environ["CRM_CONTAINED_PLUGIN_DIR"]
STOP = os.environ["CRM_STOP_PLUGIN_DIR"]
CRASHING = os.environ["CRM_CRASHING_PLUGIN_DIR"]
FIXTURES = os.environ["CRM_FIXTURE_PLUGIN_DIR"]

VERSION_RULE = "' is not MAJOR.MINOR.PATCH (decimal numbers without sign, leading zero or suffix)"


def statuses(plugins):
    return {os.path.basename(p["path"])[:-3]: (p["status"], p["error"]) for p in plugins}


def crashing_copy(tmp_path):
    d = tmp_path / "plugins"
    d.mkdir()
    for f in os.listdir(CRASHING):
        if f.endswith(".so"):
            shutil.copy(os.path.join(CRASHING, f), d / f)
    return d


def test_plugins_list_works_with_every_survivable_plugin_present(crm):
    p = crm.run("--format", "json", "--plugin-dir", CONTAINED, "plugins", "list")
    assert p.returncode == 0, p.stderr
    s = statuses(json.loads(p.stdout))
    assert s["start_throws_int"] == ("failed", "start threw int")
    assert s["factory_throws_int"] == ("failed", "factory threw int")
    assert s["start_throws_std"] == ("failed", "start threw std::out_of_range: index 7 of 3")
    assert s["start_throws_duplicate"] == \
        ("failed", "start threw crm::DuplicateKey: external id C7 is taken")
    assert s["factory_null"] == ("failed", "factory returned no object")
    assert s["manifest_wrong_types"] == \
        ("refused", "manifest key 'requires' is string, not a list of names")
    assert s["version_suffix"] == ("refused", "manifest key 'version': '1.1.99-anything" + VERSION_RULE)
    assert s["version_negative"] == ("refused", "manifest key 'version': '1.-5" + VERSION_RULE)
    assert s["old_string_abi"] == ("refused",
                                   "toolchain mismatch: libstdc++ dual ABI (_GLIBCXX_USE_CXX11_ABI): "
                                   "plugin 0, kernel 1 (rebuild the plugin with the kernel's toolchain)")
    assert s["missing_symbol"][0] == "refused"
    assert s["missing_symbol"][1].startswith("undefined symbol: crm_fixture_function_nobody_defines: ")
    assert s["static_crash_refused"][0] == "refused"
    assert s["manifest_not_json"][0] == "refused"
    assert s["needs_capability"] == ("started", "")
    assert s["good"] == ("started", "")
    # The failures are on stderr, one line each, and the rest works.
    assert "start_throws_int.so: start threw int" in p.stderr
    assert crm.json("--plugin-dir", CONTAINED, "customers", "list") == []
    assert crm.json("--plugin-dir", CONTAINED, "fixture", "needs_capability") == \
        {"plugin": "needs_capability"}


def test_an_int_thrown_by_stop_is_logged_and_the_import_stays(crm):
    f = crm.write("c.csv", "external_id,name\nC1,Ada\nC2,Grace\n")
    p = crm.run("--format", "json", "--plugin-dir", STOP, "import", "customers", f, check=False)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["inserted"] == 2
    assert "stop_throws_int: stop threw int" in p.stderr
    names = [c["name"] for c in crm.json("customers", "list")]
    assert names == ["Ada", "Grace"]


def test_plugins_check_finds_crashes_and_hangs_and_the_kernel_refuses_them(crm, tmp_path):
    d = crashing_copy(tmp_path)
    p = crm.run("--format", "json", "plugins", "check", "--timeout", "2", str(d), check=False)
    assert p.returncode == 1, p.stderr
    r = {x["name"]: (x["result"], x["reason"]) for x in json.loads(p.stdout)}
    assert r == {
        "abort_start": ("crashed", "SIGABRT"),
        "bystander": ("ok", ""),
        "hang_start": ("hung", "did not finish within 2 s (killed)"),
        "needs_segv": ("failed", "requires plugin 'segv_start', which crashed"),
        "segv_start": ("crashed", "SIGSEGV"),
    }
    check_file = tmp_path / "plugin-check.json"
    recorded = json.loads(check_file.read_text())["plugins"]
    assert recorded[str(d / "segv_start.so")]["outcome"] == "crashed"
    assert recorded[str(d / "segv_start.so")]["size"] == os.path.getsize(d / "segv_start.so")

    # Every command works with them present: they are refused from the file.
    started = time.monotonic()
    s = statuses(crm.json("--plugin-dir", str(d), "plugins", "list"))
    assert time.monotonic() - started < 1.5  # no 2-second hang check again
    clear = ("; it is not loaded until the file changes (rebuild it, or remove its entry from "
             f"{check_file})")
    assert s["segv_start"] == ("refused", "the plugin check found it crashed (SIGSEGV)" + clear)
    assert s["abort_start"] == ("refused", "the plugin check found it crashed (SIGABRT)" + clear)
    assert s["hang_start"] == \
        ("refused", "the plugin check found it hung (did not finish within 2 s (killed))" + clear)
    assert s["needs_segv"] == ("refused", "requires plugin 'segv_start', which was refused")
    assert s["bystander"] == ("started", "")
    assert crm.json("--plugin-dir", str(d), "customers", "list") == []
    assert crm.json("--plugin-dir", str(d), "fixture", "bystander") == {"plugin": "bystander"}

    # Until the file changes: a fixed hang_start.so (here: the good fixture)
    # is checked again and loads.
    shutil.copy(os.path.join(FIXTURES, "good.so"), d / "hang_start.so")
    s = statuses(crm.json("--plugin-dir", str(d), "plugins", "list"))
    assert s["hang_start"] == ("started", "")
    assert json.loads(check_file.read_text())["plugins"][str(d / "hang_start.so")]["outcome"] == "ok"


def test_crm_checks_new_plugins_before_loading_them(crm, tmp_path):
    d = crashing_copy(tmp_path)
    os.remove(d / "hang_start.so")  # its 10-second default time limit: tested above
    # No `plugins check` first: `crm` checks each new plugin in a child
    # process itself, so the crashing ones cannot take it down.
    p = crm.run("--format", "json", "--plugin-dir", str(d), "customers", "list", check=False)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == []
    assert "segv_start.so: the plugin check found it crashed (SIGSEGV)" in p.stderr
    recorded = json.loads((tmp_path / "plugin-check.json").read_text())["plugins"]
    assert {os.path.basename(k): v["outcome"] for k, v in recorded.items()
            if k.startswith(str(d))} == \
        {"abort_start.so": "crashed", "bystander.so": "ok", "segv_start.so": "crashed"}


def test_plugins_check_without_directories_checks_the_kernels_own(crm):
    r = crm.json("--plugin-dir", FIXTURES, "plugins", "check", check=False)
    by_name = {x["name"]: (x["result"], x["reason"]) for x in r}
    assert by_name["retention"] == ("ok", "")  # the bundled directory
    assert by_name["good"] == ("ok", "")
    assert by_name["start_throws"] == \
        ("failed", "start threw std::runtime_error: cannot reach the mail server")
    assert by_name["wrong_api"][0] == "refused"
    assert by_name["factory_throws"] == \
        ("failed", "factory threw std::runtime_error: constructor refuses")


def test_plugins_check_refuses_bad_arguments(crm):
    p = crm.run("plugins", "check", "no/such/dir", check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == "crm: error: plugins check no/such/dir: no such directory"
    p = crm.run("plugins", "check", "--timeout", "0", FIXTURES, check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == \
        "crm: error: --timeout 0: expected a number of seconds above 0 and at most 86400"


def test_plugins_check_reports_what_the_in_process_loader_contains(crm):
    r = {x["name"]: (x["result"], x["reason"])
         for x in crm.json("plugins", "check", CONTAINED, STOP, check=False)}
    assert r["stop_throws_int"] == ("failed", "stop threw int")
    assert r["start_throws_int"] == ("failed", "start threw int")
    assert r["missing_symbol"][0] == "failed"
    assert r["missing_symbol"][1].startswith(
        "refused: undefined symbol: crm_fixture_function_nobody_defines: ")
    assert r["version_suffix"][0] == "refused"  # never run: its manifest is refused
    assert r["needs_capability"] == ("ok", "") and r["good"] == ("ok", "")
    # Failures the loader contains are no reason to refuse the plugin later.
    s = statuses(crm.json("--plugin-dir", CONTAINED, "plugins", "list"))
    assert s["start_throws_int"] == ("failed", "start threw int")
