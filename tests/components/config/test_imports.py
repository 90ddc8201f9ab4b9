"""The stack-config schema stands on its own: importing it loads no Pulumi SDK and no component."""

from __future__ import annotations

import subprocess
import sys

from ..conftest import PROJECT

PROBE = """
import sys
import components.config
from components.config import StackConfig, parse_stack_config

parse_stack_config({"services": {"web": {"image": "nginx"}}})
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("pulumi", "pulumi_aws") or m == "components.service")
print(",".join(loaded))
"""


def test_importing_and_parsing_the_config_loads_neither_pulumi_nor_pulumi_aws():
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=PROJECT, capture_output=True, text=True, check=True, timeout=60
    )
    assert probe.stdout.strip() == ""


def test_the_components_are_still_importable_from_the_package():
    probe = subprocess.run(
        [sys.executable, "-c", "from components import FargateService, mapping; print(FargateService.__module__)"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert probe.stdout.strip() == "components.service"


def test_every_public_name_of_the_components_package_resolves():
    import components

    assert all(getattr(components, name) is not None for name in components.__all__)
