"""The built wheel ships every data file, an installed copy runs the neural tagger, and a missing
model is never a silent downgrade.

The wheel is built offline from a copy of the package sources (no build isolation, no index), so
the test needs setuptools and wheel from the dev extra and leaves nothing in the checkout.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest

from khabar.analysis.ner import NerTagger, load_tagger, neural, tagger

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "khabar"


def _pip(*args: str, cwd: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", *args, "--no-index", "--quiet"], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "PIP_NO_INPUT": "1"})
    assert proc.returncode == 0, f"pip {args[0]} failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the sources (a stale build/ in the checkout cannot leak in)."""
    for module in ("setuptools", "wheel"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (pip install -e '.[dev]')")
    src = tmp_path_factory.mktemp("wheel-src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path_factory.mktemp("wheel")
    _pip("wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(out), str(src), cwd=src)
    (built,) = out.glob("khabar-*.whl")
    return built


def _data_files() -> set[str]:
    """Every non-Python file under src/khabar/, as a wheel member name (khabar/...)."""
    return {p.relative_to(PACKAGE.parent).as_posix() for p in PACKAGE.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
            # editor and OS litter (.swp, .DS_Store) is not package data
            and not any(part.startswith(".") for part in p.relative_to(PACKAGE).parts)}


def test_wheel_ships_every_data_file(wheel: Path):
    files = _data_files()
    assert "khabar/data/ner_nn.npz" in files  # the file a list of extensions once left out
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    missing = sorted(files - names)
    assert not missing, f"{len(missing)} data files are not in {wheel.name}: {missing}"
    assert not [n for n in names if n.endswith(".pyc") or "__pycache__" in n]


def test_installed_wheel_loads_the_neural_tagger(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    _pip("install", "--no-deps", "--target", str(target), str(wheel), cwd=tmp_path)
    # PYTHONPATH comes before the editable checkout on sys.path; -W error turns a fallback
    # warning into a failure.
    code = ("import khabar, khabar.analysis.ner as ner; t = ner.load_tagger(); "
            "print(khabar.__file__); print(type(t).__name__); "
            # "said the Iranian president Ebrahim Raisi"
            "print(' '.join(t.tag(['قال', 'الرئيس', 'الإيراني', 'إبراهيم', 'رئيسي'])))")
    proc = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", code], cwd=tmp_path,
                          capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(target), "OPENBLAS_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr
    path, kind, tags = proc.stdout.splitlines()
    assert Path(path).resolve().is_relative_to(target.resolve()), f"imported {path}, not the installed copy"
    assert kind == "NeuralTagger"
    assert tags.split()[-2:] == ["B-PER", "I-PER"]


def test_missing_neural_model_falls_back_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(neural, "model_path", lambda: tmp_path / neural.MODEL_FILE)  # not there
    monkeypatch.setattr(tagger, "_TAGGERS", {})  # a fresh cache; the real one stays as it was
    with pytest.warns(RuntimeWarning, match=r"ner_nn\.npz is missing.*CRF"):
        fallback = load_tagger()
    assert isinstance(fallback, NerTagger)


def test_packaged_neural_model_loads_without_warning(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(tagger, "_TAGGERS", {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(load_tagger(), neural.NeuralTagger)



def test_entity_stage_without_a_loadable_tagger_warns_and_still_analyses(monkeypatch: pytest.MonkeyPatch):
    """A broken model degrades the entities stage to the KB and rules, loudly (it was silent)."""
    from khabar.analysis import entities, ner
    from khabar.analysis.pipeline import Pipeline
    from khabar.model import Document

    def broken(kind: str = "auto"):
        raise OSError("model file truncated")

    monkeypatch.setattr(ner, "load_tagger", broken)
    with pytest.warns(RuntimeWarning, match="NER tagger could not be loaded.*truncated"):
        stage = entities.EntityStage()
    assert stage.tagger is None
    # "The Russian president Vladimir Putin said the talks were useful." (written for this test)
    doc = Pipeline.build(["segment", stage])(Document(id="x", text="قال الرئيس الروسي فلاديمير بوتين إن المحادثات مفيدة."))
    assert any(e.name_en == "Vladimir Putin" for e in doc.entities)
