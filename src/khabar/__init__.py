"""khabar: structured, searchable knowledge from Arabic news, offline.

>>> from khabar import analyze_text
>>> doc = analyze_text("قال الرئيس ...", published="2021-08-19")
>>> doc.to_dict()["schema"]
'khabar.article/1'
>>> from khabar import pipe
>>> docs = list(pipe(["قال الوزير ...", "أعلنت الوزارة ..."], workers=2))  # in input order
>>> len(docs)
2
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Document", "Pipeline", "__version__", "analyze", "analyze_text", "pipe"]

if TYPE_CHECKING:
    from .analysis.pipeline import Pipeline
    from .model import Document
    from .service import analyze, analyze_text, pipe


def __getattr__(name: str) -> Any:
    # Lazy so that `khabar --help` and `import khabar` stay fast.
    if name == "Document":
        from .model import Document
        return Document
    if name == "Pipeline":
        from .analysis.pipeline import Pipeline
        return Pipeline
    if name in ("analyze", "analyze_text", "pipe"):
        from . import service
        return getattr(service, name)
    raise AttributeError(name)
