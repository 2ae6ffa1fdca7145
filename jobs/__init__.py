"""What SAQ workers run: the analysis engine (parse, rules, LLM, pipeline) and the SAQ tasks."""
