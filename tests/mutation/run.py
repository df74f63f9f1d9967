#!/usr/bin/python3
"""Mutation run: applies each listed mutation of the product code to the
working tree, rebuilds, runs ctest and reports which mutations the tests
kill and which survive. See tests/mutation/README.md.

Usage:
  tests/mutation/run.py BUILD_DIR [--list FILE ...] [--only ID ...] [--filter REGEX]
                                  [--check] [--allow-dirty] [--batch N] [--skip-baseline]
  tests/mutation/run.py --restore      (undo what a crashed run left)

Exit status: 0 when every mutation run was killed, 1 when any survived,
2 on a usage, list or tree error (nothing was mutated then).
"""
import argparse
import contextlib
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LISTS = Path(__file__).resolve().parent / "mutations"
# Marks a run in progress: names the file being mutated and holds its
# original text, so a crashed run is noticed (and can be undone by hand).
JOURNAL = Path(__file__).resolve().parent / ".in-progress.json"
BUILD_LOCK = "/tmp/crm-build.lock"
KEYS = {"id", "file", "find", "replace", "kind"}
OPTIONAL = {"tests"}


class ListError(Exception):
    pass


def load_lists(paths):
    """Reads and checks every list; returns the mutations in list order."""
    mutations, seen = [], {}
    for path in paths:
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise ListError(f"{path}: {e}") from e
        if not isinstance(items, list):
            raise ListError(f"{path}: the top level must be a JSON array")
        for i, m in enumerate(items):
            where = f"{path}: [{i}]"
            if not isinstance(m, dict):
                raise ListError(f"{where}: not an object")
            missing, extra = KEYS - m.keys(), m.keys() - KEYS - OPTIONAL
            if missing:
                raise ListError(f"{where}: missing {sorted(missing)}")
            if extra:
                raise ListError(f"{where}: unknown keys {sorted(extra)}")
            for k in m:
                if not isinstance(m[k], str):
                    raise ListError(f"{where}.{k}: must be a string")
            if m["id"] in seen:
                raise ListError(f"{where}: id '{m['id']}' is also in {seen[m['id']]}")
            if m["find"] == m["replace"]:
                raise ListError(f"{where} ({m['id']}): replace equals find")
            seen[m["id"]] = path.name
            mutations.append({**m, "list": path.name})
    return mutations


def check_applicable(m):
    """The file exists and `find` occurs exactly once in it; returns its text."""
    path = ROOT / m["file"]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ListError(f"{m['list']} ({m['id']}): {m['file']}: {e.strerror}") from e
    n = text.count(m["find"])
    if n != 1:
        raise ListError(f"{m['list']} ({m['id']}): 'find' occurs {n} times in {m['file']}, "
                        "must occur exactly once")
    return text


def restore_from_journal():
    """Writes back the file a crashed run left mutated."""
    if not JOURNAL.exists():
        print("nothing to restore")
        return 0
    left = json.loads(JOURNAL.read_text(encoding="utf-8"))
    (ROOT / left["file"]).write_text(left["original"], encoding="utf-8")
    JOURNAL.unlink()
    print(f"restored {left['file']} (mutation '{left['id']}' undone)")
    return 0


def refuse_if_dirty(mutations, allow_dirty):
    """A journal left by a crashed run, or a listed file with uncommitted
    changes, could mean a mutation is still in the tree."""
    if JOURNAL.exists():
        left = json.loads(JOURNAL.read_text(encoding="utf-8"))
        raise ListError(
            f"{JOURNAL} exists: a crashed run left mutation '{left['id']}' in {left['file']}; "
            "run tests/mutation/run.py --restore to write the original back")
    if allow_dirty:
        return
    files = sorted({m["file"] for m in mutations})
    p = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", *files],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise ListError(f"git status failed: {p.stderr.strip()}")
    if p.stdout.strip():
        raise ListError("these files have uncommitted changes; a mutation may be left in them "
                        "(commit or restore them first):\n" + p.stdout.rstrip())


def run_logged(cmd, log, timeout):
    """Runs `cmd`, appending its output to `log`; returns (returncode, seconds)."""
    start = time.monotonic()
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        try:
            rc = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            out.write(f"timed out after {timeout} s\n")
            rc = -1
    return rc, time.monotonic() - start


# Set while this process holds the build lock itself (--batch): its builds
# then run without `flock`, which would wait for this very lock.
HOLDING_LOCK = False


def build(build_dir, log, timeout):
    cmd = ["cmake", "--build", str(build_dir), "-j2"]
    return run_logged(cmd if HOLDING_LOCK else ["flock", BUILD_LOCK, *cmd], log, timeout)


@contextlib.contextmanager
def build_lock(held):
    """Holds the shared build lock for a batch of mutations (when `held`)."""
    global HOLDING_LOCK
    if not held:
        yield
        return
    with open(BUILD_LOCK, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        HOLDING_LOCK = True
        try:
            yield
        finally:
            HOLDING_LOCK = False
            fcntl.flock(f, fcntl.LOCK_UN)


def ctest(build_dir, regex, log, timeout):
    cmd = ["ctest", "--test-dir", str(build_dir), "-j2", "--stop-on-failure",
           "--timeout", "300", "--no-tests=error"]
    if regex:
        cmd += ["-R", regex]
    return run_logged(cmd, log, timeout)


def run_one(m, original, build_dir, log_dir, args):
    """Applies `m`, rebuilds, tests, restores. Returns (outcome, seconds)."""
    path = ROOT / m["file"]
    log = log_dir / f"{m['id']}.log"
    log.unlink(missing_ok=True)
    start = time.monotonic()
    JOURNAL.write_text(json.dumps({"id": m["id"], "file": m["file"], "original": original}),
                       encoding="utf-8")
    try:
        path.write_text(original.replace(m["find"], m["replace"], 1), encoding="utf-8")
        rc, _ = build(build_dir, log, args.build_timeout)
        if rc != 0:
            outcome = "killed (build failed)"
        else:
            rc, _ = ctest(build_dir, m.get("tests", ""), log, args.test_timeout)
            outcome = "killed" if rc != 0 else "SURVIVED"
    finally:
        path.write_text(original, encoding="utf-8")
        JOURNAL.unlink(missing_ok=True)
    return outcome, time.monotonic() - start


def interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build_dir", type=Path, nargs="?",
                    help="a configured build directory of this tree")
    ap.add_argument("--restore", action="store_true",
                    help="write back the file a crashed run left mutated, then exit")
    ap.add_argument("--allow-dirty", action="store_true",
                    help="run although listed files have uncommitted changes")
    ap.add_argument("--list", action="append", type=Path, default=[],
                    help="a mutation list (repeatable; default: every mutations/*.json)")
    ap.add_argument("--only", action="append", default=[], metavar="ID",
                    help="run only this mutation id (repeatable)")
    ap.add_argument("--filter", metavar="REGEX", help="run only ids matching this regex")
    ap.add_argument("--check", action="store_true",
                    help="only check that every selected mutation applies; build nothing")
    ap.add_argument("--skip-baseline", action="store_true",
                    help="do not first build and test the unmutated tree (when it just passed)")
    ap.add_argument("--batch", type=int, default=0, metavar="N",
                    help="take the build lock once for every N mutations (their builds and "
                         "tests) instead of once per build: fewer waits on a busy machine")
    ap.add_argument("--build-timeout", type=int, default=3600, help="seconds (default 3600)")
    ap.add_argument("--test-timeout", type=int, default=1800, help="seconds (default 1800)")
    args = ap.parse_args()
    if args.restore:
        return restore_from_journal()
    if args.build_dir is None:
        ap.error("BUILD_DIR is required")

    try:
        lists = args.list or sorted(LISTS.glob("*.json"))
        if not lists:
            raise ListError(f"no mutation lists in {LISTS}")
        mutations = load_lists(lists)
        if args.only:
            unknown = set(args.only) - {m["id"] for m in mutations}
            if unknown:
                raise ListError(f"unknown mutation ids: {sorted(unknown)}")
            mutations = [m for m in mutations if m["id"] in args.only]
        if args.filter:
            mutations = [m for m in mutations if re.search(args.filter, m["id"])]
        if not mutations:
            raise ListError("no mutation selected")
        refuse_if_dirty(mutations, args.allow_dirty)
        originals = {m["id"]: check_applicable(m) for m in mutations}
        if not args.check and not (args.build_dir / "CMakeCache.txt").exists():
            raise ListError(f"{args.build_dir}: not a configured build directory")
    except ListError as e:
        print(f"mutation run: error: {e}", file=sys.stderr)
        return 2
    if args.check:
        print(f"{len(mutations)} mutations apply cleanly")
        return 0

    # A plain `kill` must restore the file too: make SIGTERM unwind like Ctrl-C.
    signal.signal(signal.SIGTERM, interrupt)
    build_dir = args.build_dir.resolve()
    log_dir = build_dir / "mutation-logs"
    log_dir.mkdir(exist_ok=True)
    # The unmutated tree must build and pass, or every mutation looks killed.
    rc = 0
    if not args.skip_baseline:
        rc, _ = build(build_dir, log_dir / "baseline.log", args.build_timeout)
    if rc == 0 and not args.skip_baseline:
        regexes = sorted({m.get("tests", "") for m in mutations})
        for regex in regexes:
            rc, _ = ctest(build_dir, regex, log_dir / "baseline.log", args.test_timeout)
            if rc != 0:
                break
    if rc != 0:
        print(f"mutation run: error: the unmutated tree fails; see {log_dir / 'baseline.log'}",
              file=sys.stderr)
        return 2

    results = []
    started = time.monotonic()
    try:
        size = args.batch if args.batch > 0 else len(mutations)
        for first in range(0, len(mutations), size):
            with build_lock(args.batch > 0):
                for i, m in enumerate(mutations[first:first + size], first + 1):
                    outcome, secs = run_one(m, originals[m["id"]], build_dir, log_dir, args)
                    results.append((m, outcome))
                    print(f"[{i}/{len(mutations)}] {outcome:22} {m['id']}  "
                          f"({m['kind']}; {secs:.0f} s)", flush=True)
                if first + size >= len(mutations):
                    # Leave the build directory built from the restored
                    # sources, still under the lock a batch holds.
                    build(build_dir, log_dir / "restore.log", args.build_timeout)
    except KeyboardInterrupt:
        print("interrupted; the mutated file was restored (the build directory may hold "
              "a mutant's objects until the next build)", file=sys.stderr)

    survived = [m for m, o in results if o == "SURVIVED"]
    broke = sum(1 for _, o in results if o == "killed (build failed)")
    print(f"\n{len(results)} mutations: {len(results) - len(survived)} killed "
          f"({broke} by a build failure), {len(survived)} survived "
          f"in {time.monotonic() - started:.0f} s; logs in {log_dir}")
    for m in survived:
        print(f"  SURVIVED {m['id']} ({m['list']}): {m['file']}: {m['kind']}")
    if len(results) < len(mutations):
        return 1
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
