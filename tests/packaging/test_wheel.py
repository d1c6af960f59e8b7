"""The wheel: it ships tmtui.tcss (found from an install, not only from a checkout) and no test code."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Test support by its usual names: scenes, fixtures, samples, helpers, conftest, tests/ and benchmarks/.
TEST_CODE = re.compile(r"(^|/)(tests?|testing|conftest|benchmarks|scripts)(/|\.py$)|(^|/)test_[^/]*\.py$"
                       r"|sample|fixture|helpers?(/|\.py$)|support(/|\.py$)|scenes?\.py$|waiting\.py$",
                       re.IGNORECASE)


def find_test_code(names: list[str]) -> list[str]:
    """Entries of a wheel that are test code, not product."""
    return [name for name in names if TEST_CODE.search(name)]


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


def test_wheel_ships_no_test_code(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert not find_test_code(names), find_test_code(names)
    # Only the package and its metadata: no tests/, benchmarks/ or scripts/ beside it.
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"tmtui", next(top for top in tops if top.endswith(".dist-info"))}, tops
    # Still the product: the stylesheet, and the demo's mail (the demo seeds it; it is not a fixture).
    assert {"tmtui/tmtui.tcss", "tmtui/demo_mail.py", "tmtui/builder.py"} <= set(names)


def test_the_test_code_check_finds_what_used_to_ship() -> None:
    """The check above can fail: the modules this wheel used to carry are caught, product ones are not."""
    shipped_before = ["tmtui/ui/testing.py", "tmtui/sample_newsletter.py", "tmtui/tests/conftest.py",
                      "benchmarks/appkit.py", "tmtui/fixtures.py", "tests/support/scenes.py"]
    assert find_test_code(shipped_before) == shipped_before
    product = ["tmtui/demo_mail.py", "tmtui/ui/app.py", "tmtui/ui/screens/inbox.py", "tmtui/tmtui.tcss",
               "tmtui/builder.py", "tmtui/server/storage.py", "tmtui-0.1.0.dist-info/METADATA"]
    assert find_test_code(product) == []


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
