"""Charts render with the fonts vl-convert ships, whatever fonts the host has.

Each case renders in a fresh Python process (vl-convert reads its font
configuration once per process) under a different host font configuration:
the machine's own, one whose only fonts are DejaVu, and one with no fonts at
all. The bytes must be the same in all three.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmo_lib.charts.render import FONTCONFIG_FILE

_CHART = """
import altair as alt, pandas as pd
chart = alt.Chart(pd.DataFrame({"phase": ["Design <b>", "Build", "Test"], "cost": [120.5, 300, 80]}),
                  title="Budget by phase").mark_bar().encode(x="phase:N", y="cost:Q")
"""

_PINNED = _CHART + """
import hashlib, json, os
from pmo_lib.charts.render import chart_png, chart_svg
from pmo_lib.mail.mail_html import svg_to_image
svg = chart_svg(chart)
image, _, _ = svg_to_image(svg, 400, 300)
print(json.dumps({"svg": hashlib.sha256(svg.encode()).hexdigest(),
                  "png": hashlib.sha256(chart_png(chart)).hexdigest(),
                  "mail_png": hashlib.sha256(image.data).hexdigest(),
                  "env": os.environ.get("FONTCONFIG_FILE")}))
"""

_UNPINNED = _CHART + """
import hashlib, json, vl_convert as vlc
from pmo_lib.charts.render import _spec, _vl_version
png = vlc.vegalite_to_png(_spec(chart), vl_version=_vl_version(), scale=2, allowed_base_urls=[])
print(json.dumps({"png": hashlib.sha256(png).hexdigest()}))
"""


def _host_configs(tmp_path: Path) -> dict[str, str | None]:
    """Three host font set-ups: the machine's own, DejaVu only, no fonts at all."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    configs: dict[str, str | None] = {"host": None}
    for name, folder in (("dejavu", dejavu), ("empty", tmp_path / "no-fonts")):
        Path(folder).mkdir(exist_ok=True)
        conf = tmp_path / f"{name}.conf"
        conf.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{folder}</dir></fontconfig>\n')
        configs[name] = str(conf)
    return configs


def _render(code: str, fontconfig: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    if fontconfig is not None:
        env["FONTCONFIG_FILE"] = fontconfig
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/liberation").is_dir()
                    or not Path("/usr/share/fonts/truetype/dejavu").is_dir(),
                    reason="needs fonts-liberation and fonts-dejavu on the host to vary")
def test_chart_bytes_do_not_depend_on_the_hosts_fonts(tmp_path):
    configs = _host_configs(tmp_path)
    pinned = {name: _render(_PINNED, conf) for name, conf in configs.items()}
    assert pinned["host"]["svg"] == pinned["dejavu"]["svg"] == pinned["empty"]["svg"]
    assert pinned["host"]["png"] == pinned["dejavu"]["png"] == pinned["empty"]["png"]
    assert pinned["host"]["mail_png"] == pinned["dejavu"]["mail_png"] == pinned["empty"]["mail_png"]
    # The process's own setting is restored after vl-convert read the pinned one.
    assert [pinned[name]["env"] for name in configs] == [configs[name] for name in configs]
    # Control: vl-convert left to the host's fonts draws different pixels on these hosts.
    unpinned = {name: _render(_UNPINNED, configs[name])["png"] for name in ("host", "empty")}
    assert unpinned["host"] != unpinned["empty"]
    assert pinned["host"]["png"] == unpinned["empty"]  # the built-in Liberation Sans


def test_the_font_configuration_names_no_font_folder_but_its_own():
    text = FONTCONFIG_FILE.read_text()
    assert '<dir prefix="relative">.</dir>' in text
    assert text.count("<dir") == 1
    assert sorted(p.name for p in FONTCONFIG_FILE.parent.iterdir() if p.name != "__pycache__") == ["fonts.conf"]
