"""Keep the published report versions on a storage branch of the repository, never overwriting one.

The monthly workflow (``.github/workflows/monthly-report.yml``) runs on a fresh machine, whose ``reports/`` would be
empty. Every published version therefore lives on a branch of its own (``published-reports``), and the workflow

1. checks that branch out as ``reports/`` (``checkout``), so that the batch sees every version published so far
   (a month already published is a no-op, a correction becomes ``YYYY-MM-r2``);
2. runs ``serviceplan run``;
3. commits what the run added and pushes it (``commit``). The commit is refused, and the workflow fails, when a
   file of an already published version folder would change or disappear: a published version is never
   replaced, only corrected by a new revision (``serviceplan run YYYY-MM --revise "why"``). The push is a plain
   one, so a branch that moved meanwhile fails the push instead of being overwritten;
4. deploys the branch's committed tree as the site (GitHub Pages).

The pipeline's own folders under ``reports/`` (names starting with a dot: runs in progress, failed runs' output,
the execution cache, the lock) are never committed. Uses git only (no third-party package)::

    python tools/published_store.py checkout [--branch published-reports] [--folder reports]
    python tools/published_store.py commit --message "Publish 2026-06" [--branch ...] [--folder ...]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

BRANCH = "published-reports"
FOLDER = "reports"
REMOTE = "origin"
# A path inside a version folder (serviceplan.publish.versions: 2025-06, 2025-06-r2, ...): published, never changed.
PUBLISHED_FILE = re.compile(r"^\d{4}-\d{2}(?:-r\d+)?/")
# What a checkout may hold in reports/ before the branch replaces it: the folder's README (tracked on main).
REPLACEABLE = {"README.md"}


class StoreError(Exception):
    """A step that must stop the workflow, with the one line that says why."""


def git(*args: str, cwd: Path) -> str:
    """Run git in ``cwd``; its standard output, or :class:`StoreError` with git's message."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise StoreError(f"git {' '.join(args)}: {(result.stderr or result.stdout).strip()}")
    return result.stdout


def branch_exists(repo: Path, branch: str, remote: str = REMOTE) -> bool:
    """Whether ``remote`` has ``branch``."""
    result = subprocess.run(
        ["git", "ls-remote", "--exit-code", "--heads", remote, branch], cwd=repo, capture_output=True, check=False
    )
    if result.returncode not in (0, 2):  # 2: no such branch
        raise StoreError(f"git ls-remote {remote}: {result.stderr.decode(errors='replace').strip()}")
    return result.returncode == 0


def checkout(repo: Path, folder: str = FOLDER, branch: str = BRANCH, remote: str = REMOTE) -> str:
    """Check ``branch`` of ``remote`` out as ``repo/folder`` (a new, empty branch when the remote has none yet)."""
    target = repo / folder
    if target.exists():
        extra = sorted(p.name for p in target.iterdir() if p.name not in REPLACEABLE)
        if extra:
            raise StoreError(f"{folder}/ already holds {', '.join(extra[:5])}: refusing to replace it")
        for name in REPLACEABLE:
            (target / name).unlink(missing_ok=True)
        target.rmdir()
    if branch_exists(repo, branch, remote):
        git("fetch", "--quiet", "--depth=1", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}", cwd=repo)
        git("worktree", "add", "--quiet", "-B", branch, folder, f"{remote}/{branch}", cwd=repo)
        return f"checked out {remote}/{branch} as {folder}/"
    git("worktree", "add", "--quiet", "--detach", "--no-checkout", folder, cwd=repo)
    git("symbolic-ref", "HEAD", f"refs/heads/{branch}", cwd=target)  # a branch without commits yet
    git("read-tree", "--empty", cwd=target)
    return f"{remote} has no branch {branch}: started it empty in {folder}/"


def staged_changes(folder: Path) -> list[tuple[str, str]]:
    """Stage everything in ``folder`` but the pipeline's dot folders; the (status, path) of each staged change."""
    git("add", "--all", "--", ".", ":(exclude,glob).*", ":(exclude,glob).*/**", cwd=folder)
    head = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "HEAD"], cwd=folder, capture_output=True)
    if head.returncode != 0:  # the branch's first commit: everything is new
        return [("A", path) for path in git("diff", "--cached", "--name-only", cwd=folder).splitlines()]
    lines = git("diff", "--cached", "--name-status", "--no-renames", "HEAD", cwd=folder).splitlines()
    return [(line.split("\t", 1)[0], line.split("\t", 1)[1]) for line in lines]


def commit(folder: Path, message: str, branch: str = BRANCH, remote: str = REMOTE) -> str:
    """Commit and push what the run added to ``folder``; :class:`StoreError` when a published file would change."""
    changes = staged_changes(folder)
    replaced = [path for status, path in changes if status != "A" and PUBLISHED_FILE.match(path)]
    if replaced:
        shown = ", ".join(replaced[:5]) + (f" and {len(replaced) - 5} more" if len(replaced) > 5 else "")
        raise StoreError(
            f"the run would change {len(replaced)} file(s) of published versions ({shown}); nothing was committed. "
            'A published version is never replaced: publish a correction with serviceplan run YYYY-MM --revise "why"'
        )
    if not changes:
        return "nothing new to publish"
    author = ("-c", "user.name=serviceplan", "-c", "user.email=serviceplan@users.noreply.github.com")
    git(*author, "commit", "--quiet", "-m", message, cwd=folder)
    git("push", "--quiet", remote, f"HEAD:refs/heads/{branch}", cwd=folder)
    added = sorted({path.split("/", 1)[0] for status, path in changes if PUBLISHED_FILE.match(path)})
    return f"published {', '.join(added) or 'the landing page'} on {branch}"


def main(argv: list[str] | None = None) -> int:
    """Command line: ``checkout`` or ``commit`` (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["checkout", "commit"])
    parser.add_argument("--branch", default=BRANCH, help=f"storage branch (default {BRANCH})")
    parser.add_argument("--folder", default=FOLDER, help=f"the workspace's reports folder (default {FOLDER})")
    parser.add_argument("--message", default="Publish", help="commit message (commit)")
    args = parser.parse_args(argv)
    repo = Path.cwd()
    try:
        if args.command == "checkout":
            print(checkout(repo, args.folder, args.branch))
        else:
            print(commit(repo / args.folder, args.message, args.branch))
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
