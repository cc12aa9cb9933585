"""The LLM layer: providers behind one Protocol, a router that picks and fails over,
and response caches. Self-contained: imports nothing of echotune but settings and errors.

Plugs in here: a `Provider` (types in `types.py`, errors in `errors.py`) per vendor
kind: `openai` (and every OpenAI-compatible server), `anthropic`, `gemini`, and
`local`, the built-in offline assistant. Behaviour (routing, circuit breaking,
budgets, caching) is added by wrapping providers, never by flags on them.
"""
