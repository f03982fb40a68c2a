"""What a process serving gov3 loads when it starts: every web worker, every `gov3` command
with system checks and every test server imports the URL configuration, so a library imported
there is paid for by all of them. The heavy ones load where they are used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: Loaded when a petition is routed or grouped (scikit-learn, datasketch and SciPy under
#: them), and when a PDF is drawn, signed or checked (fpdf2, pyHanko) — about 1.5 s of CPU
#: at every start-up when they were imported with the URLs.
HEAVY = ("sklearn", "scipy", "datasketch", "pyhanko", "fpdf")


def test_the_web_application_starts_without_the_libraries_of_rare_work(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from gov3.cli import main\n"
        "try:\n"
        "    main(['check'])\n"
        "finally:\n"
        "    import django.urls\n"
        "    django.urls.get_resolver().url_patterns  # every URL module, the API's included\n"
        f"    print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "GOV3_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr[-2000:]
    assert "LOADED []" in done.stdout, done.stdout + done.stderr[-2000:]
