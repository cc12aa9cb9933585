"""The built-in offline assistant (provider kind `local`): rule-based intent parsing that
emits the music tool calls and writes replies from their results, with no network and no
model download. Plugs in here: the recommender's word lists, through `Vocabulary.build`,
and optionally an `Embedder` to match phrasing the rules miss."""

from echotune.llm.local.assistant import LocalAssistant
from echotune.llm.local.vocabulary import Term, Vocabulary

__all__ = ["LocalAssistant", "Term", "Vocabulary"]
