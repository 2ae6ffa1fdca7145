"""LLM access: an OpenAI-compatible chat client with bounded concurrency, and an answer cache."""
