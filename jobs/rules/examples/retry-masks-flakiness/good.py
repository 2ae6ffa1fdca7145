from tenacity import retry, stop_after_attempt


def test_retry_policy_is_applied():
    calls = []

    @retry(stop=stop_after_attempt(3), reraise=True)
    def unstable():
        calls.append(1)
        if len(calls) < 3:
            raise ValueError("not yet")
        return "ok"

    assert unstable() == "ok"
    assert len(calls) == 3
