"""Stage contracts (issue 13 item 3): what each stage reads, optionally reads and writes.

The pipeline refuses an order in which a stage reads a field that a later stage writes; every
registered stage is run on a written article to check that it changes only the fields it
declares and that it needs nothing beyond what it declares reading.
"""

from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner

from khabar.analysis.pipeline import FIELDS, INPUT_PROVIDES, REGISTRY, Pipeline, PipelineError, default_stages
from khabar.cli import main
from khabar.model import Document, Sentence

# Sentences written for this test: Putin says Russia is ready to cooperate with Iran, then says
# "we will meet in Dushanbe next month"; Raisi called his Russian counterpart on Tuesday evening.
ARTICLE = (
    "قال الرئيس الروسي فلاديمير بوتين يوم الأربعاء إن روسيا مستعدة للتعاون مع إيران في مجال الطاقة. "
    "وأضاف بوتين: \"سنلتقي في دوشنبه الشهر المقبل لبحث الاتفاق النووي\". "
    "واتصل الرئيس الإيراني إبراهيم رئيسي بنظيره الروسي مساء الثلاثاء، وأكد أن طهران تريد علاقات أقوى مع موسكو."
)
TITLE = "بوتين ورئيسي يبحثان التعاون"  # "Putin and Raisi discuss cooperation"


def _doc() -> Document:
    return Document(id="contract", text=ARTICLE, title=TITLE, published="2021-08-19", source="test",
                    url="https://example.org/a", meta={"path": "written.txt"})


def _value(doc: Document, name: str) -> object:
    return doc.tokens if name == "tokens" else getattr(doc, name)


@pytest.fixture(scope="module")
def stages():
    p = Pipeline.build(default_stages())
    return dict(zip(p.names, p.components))


# ----------------------------------------------------------------------------- the order check

def test_quotes_before_entities_is_refused_naming_stage_field_and_writer():
    with pytest.raises(PipelineError) as err:
        Pipeline.build(["segment", "quotes", "entities"])
    assert str(err.value) == ("stage 'quotes' reads entities, which the later stage 'entities' writes: "
                              "put 'entities' before 'quotes'")


def test_an_optional_read_before_its_writer_is_refused_too():
    with pytest.raises(PipelineError, match="stage 'events' reads timexes, which the later stage 'timexes'"):
        Pipeline.build(["segment", "entities", "events", "timexes"])


def test_cli_analyze_refuses_quotes_before_entities():
    r = CliRunner().invoke(main, ["analyze", "-", "--stages", "segment,quotes,entities"], input=ARTICLE)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    assert r.stderr == ("khabar: error E201: stage 'quotes' reads entities, which the later stage 'entities' "
                        "writes: put 'entities' before 'quotes'\n")


def test_optional_input_without_any_writer_is_fine():
    # quotes finds its speakers itself when no entities stage runs at all
    doc = Pipeline.build(["segment", "quotes"])(_doc())
    assert doc.quotes and doc.timexes == ()


def test_missing_required_input_is_refused_as_before():
    with pytest.raises(PipelineError, match="stage 'entities' requires sentences, tokens, which no earlier stage"):
        Pipeline.build(["entities", "summary"])


class _Fake:
    def __init__(self, name, reads=(), writes=(), optional=(), extends=()):
        self.name, self.reads, self.writes = name, frozenset(reads), frozenset(writes)
        self.reads_optional, self.extends = frozenset(optional), frozenset(extends)

    def __call__(self, doc):
        return doc


def test_a_later_stage_that_only_extends_a_written_field_is_allowed():
    seg, ents = _Fake("seg", ["text"], ["sentences"]), _Fake("ents", ["sentences"], ["entities"])
    reader = _Fake("reader", ["sentences"], ["events"], optional=["entities"])
    Pipeline.build([seg, ents, reader, _Fake("adder", ["sentences"], ["entities"], extends=["entities"])])
    # ... but not one that replaces it, nor an extender that is the field's first writer
    with pytest.raises(PipelineError, match="'reader' reads entities, which the later stage 'replacer'"):
        Pipeline.build([seg, ents, reader, _Fake("replacer", ["sentences"], ["entities"])])
    with pytest.raises(PipelineError, match="'reader' reads entities, which the later stage 'adder'"):
        Pipeline.build([seg, reader, _Fake("adder", ["sentences"], ["entities"], extends=["entities"])])


def test_the_default_pipeline_passes_its_own_check():
    assert Pipeline.build().names == default_stages()


# ----------------------------------------------------------------------------- the declarations

def test_every_registered_stage_declares_known_fields(stages):
    assert set(stages) == set(REGISTRY)
    for name, c in stages.items():
        declared = c.reads | c.reads_optional | c.writes
        assert declared <= FIELDS, f"{name}: unknown fields {sorted(declared - FIELDS)}"
        assert getattr(c, "extends", frozenset()) <= c.writes, name
        assert not (c.writes & INPUT_PROVIDES), f"{name} overwrites its input"


def test_every_stage_changes_only_the_fields_it_writes(stages):
    """Each stage runs after the default stages before it; any field it changes must be declared
    in ``writes``, and what it only ``extends`` keeps every earlier entity, id and mention."""
    doc = _doc()
    for name in default_stages():
        c = stages[name]
        after = c(doc)
        changed = {f for f in FIELDS if _value(after, f) != _value(doc, f)}
        assert changed <= c.writes, f"stage {name!r} changed {sorted(changed - c.writes)} without declaring it"
        assert changed, f"stage {name!r} wrote nothing on the test article"
        for f in getattr(c, "extends", ()):
            kept = {e.id: e for e in _value(after, f)}
            for e in _value(doc, f):
                assert e.id in kept and kept[e.id].name == e.name and set(e.mentions) <= set(kept[e.id].mentions)
        doc = after


def _only(doc: Document, keep: frozenset[str]) -> Document:
    """``doc`` with every field outside ``keep`` blanked (tokens dropped from the sentences)."""
    blank: dict[str, object] = {}
    for f in dataclasses.fields(Document):
        if f.name in keep:
            continue
        if f.name == "text":  # same length, so that offsets stay valid, but no words
            blank["text"] = " " * len(doc.text)
        elif f.name == "id":
            blank["id"] = "blank"
        elif f.default_factory is not dataclasses.MISSING:
            blank[f.name] = f.default_factory()
        else:
            blank[f.name] = f.default
    if "tokens" not in keep and "sentences" in keep:
        blank["sentences"] = tuple(Sentence(s.start, s.end) for s in doc.sentences)
    return doc.with_(**blank)


@pytest.mark.parametrize("name", default_stages())
def test_a_stage_needs_nothing_beyond_its_declared_reads(stages, name):
    """Run the stage on a fully analysed article and on the same article with every field it does
    not declare reading blanked: it must not crash, and what it writes must be the same."""
    c = stages[name]
    full = Pipeline.build()(_doc())
    alone = _only(full, c.reads | c.reads_optional)
    got, want = c(alone), c(full)
    for f in c.writes:
        assert _value(got, f) == _value(want, f), f"stage {name!r} reads something undeclared for {f}"
