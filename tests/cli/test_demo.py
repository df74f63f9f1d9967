"""`crm demo`: the commands it prints can be pasted into a shell and name the
real `crm`; it refuses a size it cannot run before writing anything; it
loads the README plugin, whose task appears."""
import os
import shlex
import subprocess
from pathlib import Path

from conftest import CRM

MIN_CUSTOMERS = 100


def demo(tmp_path, *args):
    env = {**os.environ, "CRM_PLUGIN_PATH": ""}
    return subprocess.run([CRM, "--db", str(tmp_path / "demo.db"), "demo", *args],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)


def paste(command_line, cwd):
    return subprocess.run(["bash", "-c", command_line], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "CRM_PLUGIN_PATH": ""}, timeout=120)


def steps(stdout):
    """{title: (command line, output)} of the demo's '== title / $ cmd' steps."""
    out = {}
    tour = stdout.split("\nDone. ", 1)[0]
    for chunk in tour.split("\n== ")[1:]:
        title, cmd, *rest = chunk.split("\n")
        assert cmd.startswith("$ "), chunk
        out[title] = (cmd[2:], "\n".join(rest))
    return out


def test_too_few_customers_is_refused_before_anything_is_written(tmp_path):
    for n in ("5", str(MIN_CUSTOMERS - 1), "-1"):
        p = demo(tmp_path, "--customers", n, "--reset")
        assert p.returncode == 1, p.stdout
        assert p.stderr.strip() == (
            f"crm: error: demo --customers {n}: the tour needs at least {MIN_CUSTOMERS} (it shows "
            "customer 8 and fits a lifetime-value model on the store)")
        assert p.stdout == ""
        assert sorted(os.listdir(tmp_path)) == []


def test_too_few_customers_keeps_the_database_it_would_reset(tmp_path):
    (tmp_path / "demo.db").write_bytes(b"")
    assert demo(tmp_path, "--customers", "3", "--reset").returncode == 1
    assert (tmp_path / "demo.db").exists()


def test_bad_option_is_a_parse_error(tmp_path):
    p = demo(tmp_path, "--customers", "many")
    assert p.returncode != 0 and "--customers" in p.stderr
    assert sorted(os.listdir(tmp_path)) == []


def test_printed_commands_paste_into_a_shell(tmp_path):
    p = demo(tmp_path, "--customers", str(MIN_CUSTOMERS), "--reset")
    assert p.returncode == 0, p.stderr
    assert f"generated {MIN_CUSTOMERS} customers" in p.stdout
    crm = os.path.realpath(CRM)
    readme_plugin_dir = os.path.realpath(Path(crm).parent.parent / "examples" / "plugins")
    db = str(tmp_path / "demo.db")
    all_steps = steps(p.stdout)
    assert len(all_steps) >= 14
    for title, (cmd, _) in all_steps.items():
        words = shlex.split(cmd)
        assert words[:5] == [crm, "--db", db, "--plugin-dir", readme_plugin_dir], (title, cmd)

    # A word with spaces or a quote is one shell word.
    promise, _ = all_steps["A salesperson's promise, recorded"]
    words = shlex.split(promise)
    assert "--notes" in words and words[words.index("--notes") + 1] == "Quarterly review"
    assert words[words.index("--commitment") + 1] == "10% discount on the next order"
    assert "'Quarterly review'" in promise

    # Pasted, a printed command gives what the demo printed (the last step:
    # nothing has changed since) and sees what the demo wrote.
    chart, shown = all_steps["The process as a flow chart"]
    again = paste(chart, tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("flowchart TD\n") and again.stdout.strip() == shown.strip()
    show, _ = all_steps["Customer timeline"]
    timeline = paste(show, tmp_path)
    assert timeline.returncode == 0, timeline.stderr
    assert "promised: 10% discount on the next order" in timeline.stdout
    assert "Quarterly review" in timeline.stdout

    done = p.stdout.strip().splitlines()[-1]
    assert done.endswith(f"{shlex.quote(crm)} --db {db} --plugin-dir {readme_plugin_dir} --help")


def test_the_readme_plugin_is_loaded_and_its_task_appears(tmp_path):
    p = demo(tmp_path, "--customers", str(MIN_CUSTOMERS), "--reset")
    assert p.returncode == 0, p.stderr
    all_steps = steps(p.stdout)
    _, plugins = all_steps["Plugins"]
    [line] = [l for l in plugins.splitlines() if l.startswith("complaint_follow_up ")]
    assert " started " in line
    _, tasks = next(v for k, v in all_steps.items() if k.startswith("It became tasks"))
    rows = [l.split() for l in tasks.splitlines()[1:] if l.strip()]
    # The plugin's call-back for the owner, due in 24 hours, beside the
    # workflow's answer task.
    assert any("Call back about the complaint" in " ".join(r) for r in rows), tasks
    assert any("Answer the complaint of" in " ".join(r) for r in rows), tasks


def test_shell_quote_of_awkward_paths(tmp_path):
    """A database path with a space and a quote is quoted so the printed
    command still names it."""
    odd = tmp_path / "it's a dir"
    odd.mkdir()
    db = str(odd / "demo.db")
    p = subprocess.run([CRM, "--db", db, "demo", "--customers", str(MIN_CUSTOMERS)],
                       capture_output=True, text=True, cwd=tmp_path,
                       env={**os.environ, "CRM_PLUGIN_PATH": ""}, timeout=120)
    assert p.returncode == 0, p.stderr
    chart, shown = steps(p.stdout)["The process as a flow chart"]
    assert shlex.split(chart)[2] == db and f"'{tmp_path}/it'\\''s a dir/demo.db'" in chart
    again = paste(chart, tmp_path)
    assert again.returncode == 0 and again.stdout.strip() == shown.strip()
