"""Looking inside PDFs with poppler's tools: pages as PNG images, text, embedded fonts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

TOOLS = ("pdftoppm", "pdftotext", "pdffonts")


def need_poppler() -> None:
    """Skip, loudly, on a machine without poppler-utils; never in CI, which installs it."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must install poppler-utils (missing: {', '.join(missing)})")
        pytest.skip(f"poppler-utils not installed (missing: {', '.join(missing)})")


def pages(pdf: bytes, tmp: Path, dpi: int = 40) -> list[np.ndarray]:
    """Every page rendered by pdftoppm as PNG, read back as grey levels in [0, 1]."""
    import matplotlib.pyplot as plt

    need_poppler()
    source = tmp / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", source, tmp / "page"], check=True)
    images = sorted(tmp.glob("page-*.png"))
    return [plt.imread(p)[..., :3].mean(axis=2) for p in images]


def ink(page: np.ndarray) -> float:
    """The share of the page that is not white."""
    return float((page < 0.9).mean())


def text(pdf: bytes, tmp: Path) -> str:
    need_poppler()
    source = tmp / "text.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(["pdftotext", source, "-"], check=True, capture_output=True)
    return done.stdout.decode()


def fonts(pdf: bytes, tmp: Path) -> str:
    need_poppler()
    source = tmp / "fonts.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdffonts", source], check=True, capture_output=True).stdout.decode()
