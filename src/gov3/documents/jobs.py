"""Background jobs of documents: publish the offline verification bundle (every key and
status list, signed) where a web server or a file share can hand it out."""

from __future__ import annotations

import json
import os
import tempfile

from django.conf import settings
from huey import crontab

from gov3.tasks.runner import job


@job("documents.publish_bundle", every=crontab(minute="7"))
def publish_bundle() -> None:
    """Write ``GOV3_PUBLISHED_DIR/verification-bundle.json`` (replaced atomically)."""
    # The signing code loads when a job first needs it, not when every process starts.
    from gov3.documents.models import DocumentType  # noqa: PLC0415
    from gov3.documents.statuses import open_lists  # noqa: PLC0415
    from gov3.documents.verification import bundle  # noqa: PLC0415

    open_lists(list(DocumentType.values))
    directory = settings.GOV3_PUBLISHED_DIR
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(bundle(), out, indent=1)
    os.chmod(temporary, 0o644)
    os.replace(temporary, directory / "verification-bundle.json")
