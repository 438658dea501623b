"""Collect the static files once, not at every start of every server.

`collectstatic` with WhiteNoise's compressed manifest storage hashes and compresses every
file each time (about a minute of CPU for the desk's thousand files), and two servers
started together would write the same folder at once. `collect_static` runs it under a
file lock, and only when the files it would collect changed since the last run.
"""

import fcntl
import hashlib
import importlib.metadata
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command

STAMP = ".collected"  # in STATIC_ROOT: the fingerprint of the sources last collected


def sources_fingerprint() -> str:
    """Return a digest of the files collectstatic would collect (name, size, change time)
    and of what decides how they are stored."""
    digest = hashlib.sha256()
    digest.update(importlib.metadata.version("servicedesk").encode())
    digest.update(repr(settings.STORAGES["staticfiles"]).encode())
    found = []
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=[]):
            stat = os.stat(storage.path(path))
            prefix = getattr(storage, "prefix", None) or ""
            found.append(f"{prefix}/{path}:{stat.st_size}:{stat.st_mtime_ns}")
    for line in sorted(found):
        digest.update(line.encode())
    return digest.hexdigest()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def collect_static() -> bool:
    """Run collectstatic unless the collected files are current; return whether it ran."""
    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    stamp = root / STAMP
    with _locked(root / ".collect.lock"):
        fingerprint = sources_fingerprint()
        manifest = getattr(staticfiles_storage, "manifest_name", None)
        collected = manifest is None or (root / manifest).exists()
        if collected and stamp.exists() and stamp.read_text() == fingerprint:
            return False
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp.write_text(fingerprint)
        return True
