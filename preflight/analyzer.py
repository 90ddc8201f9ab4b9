"""Placeholder until milestone 2."""


class PolicyAnalyzer:
    def __init__(self, pack_dir):
        raise NotImplementedError("policy packs are not wired yet")
