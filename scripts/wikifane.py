"""WikiFANE Gold 2014 (../shared/data/ner/wikifane) as ANERcorp-style training and evaluation data.

Read from ../shared at training time only; its text never enters the repository (CC BY-SA 3.0).

- Fine classes -> PER/ORG/LOC/MISC (FINE_TO_COARSE): chosen from NewsFANE, which annotates the
  ANERcorp text with the same 50 classes. For each NewsFANE entity whose text is an entity of
  train.txt, the ANERcorp type was counted per fine class (docs/ner.md): person classes -> PER,
  GPE and natural locations -> LOC, organisation classes -> ORG, works (books, films, songs)
  -> MISC; classes ANERcorp leaves untagged (Group "the Chinese", Government "the government",
  facilities, vehicles, weapons, products) -> O.
- Tokens: WikiFANE splits clitics off ("و تجدر", "ل جنوب", "عن ه"); ANERcorp and news text keep
  them on the word, so they are joined back (the word keeps the host's tag).
- Articles: the file has no article marks but articles follow each other, so the held-out part
  is contiguous blocks of sentences (HELD_OUT_BLOCKS of BLOCKS): whole articles but for the two
  ends of each block.
"""

from __future__ import annotations

from pathlib import Path

PATH = "data/ner/wikifane/WikiFANE_Gold_2014_500K.txt"
PER = ("Politician", "Athlete", "Artist", "Other_PER", "Religious_PER", "Scientist", "Police",
       "Businessperson", "Lawyer", "Engineer")
ORG = ("Non-Governmental", "Sports", "Media", "Commercial", "Educational", "Medical-Science",
       "Entertainment", "Religious_ORG")
LOC = ("Nation", "Population-Center", "State-or-Province", "GPE-Cluster", "Continent", "Water-Body",
       "County-or-District", "Land-Region-Natural")
MISC = ("Book", "Movie", "Sound")
FINE_TO_COARSE = {**dict.fromkeys(PER, "PER"), **dict.fromkeys(ORG, "ORG"), **dict.fromkeys(LOC, "LOC"),
                  **dict.fromkeys(MISC, "MISC")}
PROCLITICS = {"و", "ف", "ب", "ل", "ك", "س"}  # and, so, with/in, for/to, like, will
ENCLITICS = {"ه", "ها", "هم", "هما", "هن", "كم", "كما", "نا", "ني", "ي"}  # pronoun suffixes
BLOCKS, HELD_OUT_BLOCKS = 20, (4, 14)  # 10 % of the sentences, two contiguous blocks


def coarse(tag: str) -> str:
    if tag == "O" or "-" not in tag:
        return "O"
    prefix, fine = tag.split("-", 1)
    typ = FINE_TO_COARSE.get(fine)
    return f"{prefix}-{typ}" if typ else "O"


def rejoin(tokens: list[str], tags: list[str]) -> tuple[list[str], list[str]]:
    """Clitics split off by WikiFANE joined back onto their word."""
    out_t: list[str] = []
    out_g: list[str] = []
    pending, pending_tag = "", "O"
    for tok, tag in zip(tokens, tags):
        if tok in PROCLITICS:
            if not pending:
                pending_tag = tag
            pending += tok
            continue
        if pending:
            if pending.endswith("ل") and tok.startswith("ال"):
                tok = tok[1:]  # ل + الX is written للX
            if tag.startswith("I-") and pending_tag.startswith("B-") and pending_tag[2:] == tag[2:]:
                tag = pending_tag
            tok, pending = pending + tok, ""
        elif tok in ENCLITICS and out_t and tag == "O":
            host = out_t[-1]
            out_t[-1] = (host[:-1] + "ت" if host.endswith("ة") else host) + tok  # ة + suffix is written ت
            continue
        out_t.append(tok)
        out_g.append(tag)
    if pending:  # a lone clitic at the end: keep it as a word
        out_t.append(pending)
        out_g.append(pending_tag)
    # an I- that lost its B- (the B was a clitic whose host was O) starts the entity
    for i, g in enumerate(out_g):
        if g.startswith("I-") and (i == 0 or out_g[i - 1][2:] != g[2:]):
            out_g[i] = "B-" + g[2:]
    return out_t, out_g


def read(shared: Path) -> list[tuple[list[str], list[str]]]:
    """All sentences, coarse BIO tags, clitics joined."""
    raw = (shared / PATH).read_text(encoding="utf-8-sig").replace("\r", "").replace("\u200e", "")
    sents, toks, tags = [], [], []
    for line in raw.split("\n"):
        parts = line.split()
        if not parts:
            if toks:
                sents.append(rejoin(toks, tags))
                toks, tags = [], []
            continue
        toks.append(parts[0])
        tags.append(coarse(parts[-1]))
    if toks:
        sents.append(rejoin(toks, tags))
    return sents


def split(sents):
    """(training part, held-out part): HELD_OUT_BLOCKS of BLOCKS contiguous blocks are held out."""
    n = len(sents)
    held = set()
    for b in HELD_OUT_BLOCKS:
        held.update(range(n * b // BLOCKS, n * (b + 1) // BLOCKS))
    return [s for i, s in enumerate(sents) if i not in held], [s for i, s in enumerate(sents) if i in held]
