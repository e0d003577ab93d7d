"""Published index versions under one root folder, switched atomically:

    ROOT/versions/v0007-20261124T051500/   one complete index per build
    ROOT/current -> versions/v0007-...      a symlink, replaced in one rename(2)

A build writes into ROOT/versions/.building-*, and only a folder that loaded and answered
its checks is renamed into place and pointed at. A build killed at any moment leaves
`current` untouched; the next build (under the same lock) clears the leftovers.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from .index import Index

CURRENT = "current"
VERSION_NAME = re.compile(r"^v(\d{4,})-\d{8}T\d{6}$")


class PublishError(RuntimeError):
    pass


def versions(root: Path) -> list[Path]:
    """Published versions, oldest first."""
    folder = Path(root) / "versions"
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if VERSION_NAME.match(p.name)), key=lambda p: p.name)


def current(root: Path) -> Path | None:
    """The folder being served: ROOT/current, or ROOT itself when it is a bare index folder."""
    root = Path(root)
    link = root / CURRENT
    if link.is_symlink() or link.is_dir():
        target = link.resolve()
        return target if (target / "manifest.json").exists() else None
    if (root / "manifest.json").exists():
        return root
    return None


def current_name(root: Path) -> str | None:
    """Cheap check for hot reload: one readlink, no file reads."""
    try:
        return os.readlink(Path(root) / CURRENT)
    except OSError:
        return None


@contextmanager
def build_lock(root: Path):
    """One build at a time per root; the kernel drops the lock if the builder dies."""
    root = Path(root)
    (root / "versions").mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another build is running on {root}; wait for it to finish") from None
        for leftover in (root / "versions").glob(".building-*"):  # from a killed build
            shutil.rmtree(leftover, ignore_errors=True)
        yield


def staging_folder(root: Path) -> Path:
    return Path(root) / "versions" / f".building-{os.getpid()}"


def next_version(root: Path) -> str:
    """v0001-20261124T051500, numbered after the newest published version (call under build_lock)."""
    existing = versions(root)
    number = int(VERSION_NAME.match(existing[-1].name).group(1)) + 1 if existing else 1
    return f"v{number:04d}-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S')}"


def stage(root: Path, index: Index) -> tuple[str, Path]:
    """Save `index` as the next version into a staging folder (call under build_lock)."""
    version = next_version(root)
    index.manifest["version"] = version
    staged = staging_folder(root)
    index.save(staged)
    return version, staged


def publish(root: Path, staged: Path, version: str) -> Path:
    """Move a verified staged folder into place and point `current` at it."""
    final = Path(root) / "versions" / version
    os.replace(staged, final)
    point_current(root, final)
    return final


def point_current(root: Path, target: Path) -> None:
    root = Path(root)
    tmp = root / f".{CURRENT}.tmp{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(target, root), tmp)
    os.replace(tmp, root / CURRENT)  # atomic: readers see the old or the new link, never none


def rollback(root: Path) -> Path:
    root = Path(root)
    served = current(root)
    published = versions(root)
    older = [p for p in published if served and p.name < served.name]
    if not older:
        raise PublishError(f"no earlier version in {root} to roll back to")
    point_current(root, older[-1])
    return older[-1]


def prune(root: Path, keep: int) -> list[Path]:
    """Delete the oldest versions beyond `keep`, never the one being served."""
    served = current(root)
    doomed = [p for p in versions(root)[:-keep or None] if p != served]
    for folder in doomed:
        shutil.rmtree(folder, ignore_errors=True)
    return doomed
