"""NER tagger: features, CoNLL parsing, scoring, the tag/eval commands and the ANERcorp eval gate."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from khabar.analysis.ner import entity_spans, load_tagger
from khabar.analysis.ner.conll import ConllError, decode_lines, parse_lines
from khabar.analysis.ner.features import FeatureExtractor, word_key
from khabar.analysis.ner.tagger import load_resources
from khabar.cli import main
from khabar.evaluation.ner import score

# Sentences written for these tests: "Russian President Vladimir Putin said in Moscow that ..."
SENT_PUTIN = ["قال", "الرئيس", "الروسي", "فلاديمير", "بوتين", "في", "موسكو", "إن", "بلاده", "ستدعم", "الاتفاق", "."]
# "The Saudi Minister of Foreign Affairs met the UN Secretary-General in Riyadh."
SENT_UN = ["التقى", "وزير", "الخارجية", "السعودي", "الأمين", "العام", "للأمم", "المتحدة", "في", "الرياض", "."]


def run(args: list[str], stdin: bytes | str | None = None):
    return CliRunner().invoke(main, args, input=stdin)


# ---------------------------------------------------------------- features

def test_word_key_normalises_letters_and_digits():
    assert word_key("أحمد") == "احمد"
    assert word_key("٢٠٢١") == "0000"
    assert word_key("مدرسة") == "مدرسه"


def test_stem_strips_proclitics_only_when_the_stem_is_commoner():
    fx = FeatureExtractor(load_resources())
    assert fx.stem("وموسكو") == ("و", "موسكو")  # and + Moscow
    assert fx.stem("بطاجيكستان")[1] == "طاجيكستان"  # in + Tajikistan
    assert fx.stem("وزير") == ("", "وزير")  # minister: the و is part of the word
    assert fx.stem("للامم")[1] == "الامم"  # لل = for + the


def test_features_cover_window_and_clusters():
    fx = FeatureExtractor(load_resources())
    feats = fx.sentence(SENT_PUTIN)
    assert len(feats) == len(SENT_PUTIN)
    putin = feats[4]
    assert "w=بوتين" in putin
    assert any(f.startswith("c2=") for f in putin)  # known to the news clusters
    assert "-1w=فلاديمير" in putin and "+2w=موسكو" in putin
    assert "-2pad" in feats[0] and "+2pad" in feats[-1]


def test_name_lexicons_load_and_give_features():
    res = load_resources(lexicon=True, mined=True)
    assert "PFN" in res.lexicon[word_key("أحمد")]  # a first name
    assert "OHD" in res.lexicon[word_key("وزارة")]  # ministry: heads an organisation name
    assert res.mined[word_key("بوتين")].startswith("PER")  # mined from title slots in the news
    feats = FeatureExtractor(res).sentence(SENT_PUTIN)
    assert "lx=PTR" in feats[1] and "-2lx=PTR" in feats[3]  # president: a person title
    assert any(f.startswith("mn=PER") for f in feats[4])
    kb = load_resources(kb=True)  # names of khabar's KB as typed gazetteer entries (when present)
    assert len(kb.phrases) >= len(res.phrases)
    # The packaged model does not use them: default resources carry no lexicon.
    assert not load_resources().lexicon and not load_resources().mined


# ---------------------------------------------------------------- scoring

def test_entity_spans_follow_conlleval():
    assert entity_spans(["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG"]) == {
        (0, 2, "PER"), (3, 5, "LOC"), (5, 6, "LOC"), (6, 7, "ORG")}


def test_score_counts_exact_matches_only():
    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    pred = [["B-PER", "O", "O", "B-LOC"]]
    r = score(gold, pred)
    assert r["overall"]["precision"] == 0.5 and r["overall"]["recall"] == 0.5
    assert r["types"]["LOC"]["f1"] == 1.0 and r["types"]["PER"]["f1"] == 0.0
    with pytest.raises(ValueError):
        score([["O"]], [["O", "O"]])


# ---------------------------------------------------------------- CoNLL parsing

def test_parse_keeps_blank_lines_and_docstart():
    blocks = parse_lines(["-DOCSTART- O", "a x", "b", "", "", "c"])
    assert [b.passthrough for b in blocks] == [["-DOCSTART-"], [], [""], [""], []]
    assert [b.tokens for b in blocks if b.tokens] == [["a", "b"], ["c"]]


@pytest.mark.parametrize("lines, message", [
    (["a", " \t ", "b"], "line 2: empty token"),
    (["a", "", "", "", "b"], "line 4: more than 2 consecutive blank lines"),
])
def test_parse_errors_name_the_line(lines, message):
    with pytest.raises(ConllError, match=message):
        parse_lines(lines)


def test_gold_tags_are_checked_and_pers_is_per():
    assert parse_lines(["a B-PERS", "b I-PERS"], with_tags=True)[0].tags == ["B-PER", "I-PER"]
    with pytest.raises(ConllError, match="line 2: 'X-LOC' is not a BIO tag"):
        parse_lines(["a O", "b X-LOC"], with_tags=True)
    with pytest.raises(ConllError, match="line 1: no tag column"):
        parse_lines(["a"], with_tags=True)


def test_decode_reports_non_utf8_line():
    with pytest.raises(ConllError, match="f: line 3: not valid UTF-8"):
        decode_lines(b"a\nb\n\xff\xfe\n", "f")
    assert decode_lines("\ufeffa\nb\n".encode(), "f") == ["a", "b"]


# ---------------------------------------------------------------- tagger

def test_load_tagger_is_cached_and_tags_align():
    tagger = load_tagger()
    assert load_tagger() is tagger
    assert tagger.tag([]) == []
    tags = tagger.tag(SENT_UN)
    assert len(tags) == len(SENT_UN)
    assert all(t == "O" or (t[:2] in ("B-", "I-") and t[2:] in {"PER", "ORG", "LOC", "MISC"}) for t in tags)


def test_tagger_finds_obvious_entities():
    tags = load_tagger().tag(SENT_PUTIN)
    assert tags[4] in ("B-PER", "I-PER")  # Putin
    assert tags[6] == "B-LOC"  # Moscow
    tags = load_tagger().tag(SENT_UN)
    assert tags[9] == "B-LOC"  # Riyadh


# ---------------------------------------------------------------- CLI

def test_tag_command_keeps_tokens_and_blank_lines():
    text = "\n".join(SENT_PUTIN) + "\n\n" + "\n".join(f"{t}\tX\tY" for t in SENT_UN) + "\n"
    result = run(["tag", "-"], text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    out = result.output.split("\n")
    src = text.split("\n")
    assert len(out) == len(src)
    for a, b in zip(src, out):
        if not a:
            assert b == ""
        else:
            token, tag = b.split("\t")
            assert token == a.split()[0] and (tag == "O" or tag[:2] in ("B-", "I-"))


def test_tag_command_reads_a_file(tmp_path):
    path = tmp_path / "in.conll"
    path.write_text("\n".join(SENT_UN) + "\n", encoding="utf-8")
    result = run(["tag", str(path)])
    assert result.exit_code == 0
    assert result.output.split("\n")[9] == "الرياض\tB-LOC"


@pytest.mark.parametrize("data, message", [
    (b"a\n  \nb\n", "stdin: line 2: empty token"),
    (b"a\n\xc3\x28\n", "stdin: line 2: not valid UTF-8"),
    (b"a\n\n\n\nb\n", "stdin: line 4: more than 2 consecutive blank lines"),
])
def test_tag_command_bad_input_is_one_line_error(data, message):
    result = run(["tag", "-"], data)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1


def test_tag_command_missing_file(tmp_path):
    result = run(["tag", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_eval_ner_on_own_gold(tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text("بوتين B-PERS\nفي O\nموسكو B-LOC\n", encoding="utf-8")
    result = run(["eval", "ner", "--gold", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert set(scores) == {"types", "overall"} and scores["overall"]["gold"] == 2
    bad = tmp_path / "bad.txt"
    bad.write_text("بوتين\n", encoding="utf-8")
    result = run(["eval", "ner", "--gold", str(bad)])
    assert result.exit_code == 2 and "line 1: no tag column" in result.output


def test_eval_is_a_group_listing_ner():
    result = run(["eval", "--help"])
    assert result.exit_code == 0 and "ner" in result.output


# ---------------------------------------------------------------- eval gate

@pytest.mark.shared
@pytest.mark.slow
def test_anercorp_test_f1_floor(shared, floors, tmp_path):
    """ANERcorp test split (never used for training or tuning): F1 >= the pinned floor."""
    gold = shared / "data/ner/anercorp/test.txt"
    result = run(["eval", "ner", "--gold", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    f1 = 100 * scores["overall"]["f1"]
    assert f1 >= floors["ner"]["anercorp_test_f1"], f"ANERcorp test F1 {f1:.2f}"
    for typ in ("PER", "LOC", "ORG"):
        assert 100 * scores["types"][typ]["f1"] >= floors["ner"][f"anercorp_test_f1_{typ.lower()}"]
    # Same figure as the reference conlleval implementation on the tag command's output.
    pred = tmp_path / "pred.txt"
    tagged = run(["tag", str(gold)])
    assert tagged.exit_code == 0
    pred.write_text(tagged.output, encoding="utf-8")
    gold_per = tmp_path / "gold.txt"
    gold_per.write_text(gold.read_text(encoding="utf-8").replace("PERS", "PER"), encoding="utf-8")
    ref = subprocess.run([sys.executable, str(shared / "tools/conlleval.py"), str(gold_per), str(pred), "--json"],
                         capture_output=True, text=True, check=True)
    assert json.loads(ref.stdout)["ALL"]["f1"] == pytest.approx(scores["overall"]["f1"], abs=1e-3)
