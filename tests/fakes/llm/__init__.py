"""Loopback fakes of the LLM vendors' HTTP APIs (OpenAI, Anthropic, Gemini), driven
through the official SDKs with their base URLs pointed here."""
