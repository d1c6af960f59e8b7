"""The installed app must find tmtui.tcss from a wheel, not only from a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
                   check=True, timeout=300)
    (built,) = out.glob("tmtui-*.whl")
    return built


def test_wheel_ships_the_stylesheet_inside_the_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "tmtui/tmtui.tcss" in names
    assert (REPO / "tmtui.tcss").read_bytes() == zipfile.ZipFile(wheel).read("tmtui/tmtui.tcss")


def test_app_installed_from_the_wheel_finds_its_stylesheet(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, timeout=300)
    # Run from an empty directory with only the installed copy first on the path,
    # so the checkout's tmtui.tcss cannot be what is found.
    probe = ("import tmtui.ui.app as a, sys; p = a.css_path(); "
             "print(p); sys.exit(0 if p.is_file() else 1)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert result.returncode == 0, result.stderr
    found = Path(result.stdout.strip())
    assert found.is_relative_to(target), found
