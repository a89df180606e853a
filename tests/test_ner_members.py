"""The opt-in smaller NER ensemble (KHABAR_NER_MEMBERS, ``khabar watch --ner-members``): the
first N networks run, stores see another pipeline version, a bad value is refused in one line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from khabar.analysis.ner.neural import MEMBERS_ENV, load_neural_tagger, members_setting, model_path
from khabar.analysis.pipeline import Pipeline, default_stages, pipeline_version
from khabar.cli import main
from khabar.errors import UsageError

needs_model = pytest.mark.skipif(not model_path().is_file(), reason="neural NER model not packaged")

# Written for this test: "The Saudi foreign minister met his Russian counterpart in Moscow".
SENT = ["التقى", "وزير", "الخارجية", "السعودي", "نظيره", "الروسي", "في", "موسكو"]


@needs_model
def test_fewer_members_run_the_first_networks_and_change_the_pipeline_version(monkeypatch):
    monkeypatch.delenv(MEMBERS_ENV, raising=False)
    full = load_neural_tagger()
    default = pipeline_version(default_stages())
    monkeypatch.setenv(MEMBERS_ENV, "1")
    one = load_neural_tagger()
    assert len(one.members) == 1 < len(full.members)
    assert all((one.members[0][k] == full.members[0][k]).all() for k in ("fw_hh", "out_w"))
    assert len(one.tag(SENT)) == len(SENT)
    assert pipeline_version(default_stages()) != default  # stores re-analyse what it tagged
    monkeypatch.setenv(MEMBERS_ENV, str(len(full.members)))  # all of them: the default analysis
    assert members_setting() is None
    assert pipeline_version(default_stages()) == default


@needs_model
@pytest.mark.parametrize("value", ["0", "x", "99", "-1"])
def test_a_bad_member_count_is_refused(monkeypatch, value):
    monkeypatch.setenv(MEMBERS_ENV, value)
    with pytest.raises(UsageError, match=MEMBERS_ENV):
        members_setting()
    with pytest.raises(UsageError):  # before the tagger's loading could take it for a broken model
        Pipeline.build()


@needs_model
def test_watch_refuses_a_bad_ner_members_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv(MEMBERS_ENV, "")  # restored after the test: the command sets it
    res = CliRunner().invoke(main, ["watch", "--feed", "http://127.0.0.1:9/rss.xml", "--db",
                                    str(tmp_path / "w.db"), "--once", "--ner-members", "99"])
    assert res.exit_code == 2
    assert "Traceback" not in res.output and MEMBERS_ENV in res.output
    assert len(res.output.strip().splitlines()) == 1
    res = CliRunner().invoke(main, ["watch", "--feed", "http://127.0.0.1:9/rss.xml", "--ner-members", "0"])
    assert res.exit_code == 2
