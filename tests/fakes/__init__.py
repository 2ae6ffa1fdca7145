"""Real fakes of external services (an OpenAI-compatible LLM server) for tests and benchmarks."""
