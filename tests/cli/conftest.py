"""Fixtures for driving the `crm` executable."""
import json
import os
import subprocess

import pytest

CRM = os.environ.get("CRM_BIN", "crm")


class Crm:
    """Runs `crm` against one database in a scratch directory."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.db = str(workdir / "crm.db")

    def run(self, *args, check=True, env=None):
        # Each test remembers its plugin checks in its own directory.
        full_env = {**os.environ, "CRM_PLUGIN_PATH": "",
                    "CRM_PLUGIN_CHECK_FILE": str(self.workdir / "plugin-check.json"), **(env or {})}
        p = subprocess.run([CRM, "--db", self.db, *args], cwd=self.workdir, env=full_env,
                           capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"crm {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p

    def json(self, *args, **kw):
        p = self.run("--format", "json", *args, **kw)
        return json.loads(p.stdout)

    def write(self, name, text):
        path = self.workdir / name
        path.write_text(text, encoding="utf-8")
        return str(path)


@pytest.fixture
def crm(tmp_path):
    c = Crm(tmp_path)
    c.run("init")
    return c
