"""Decoding: greedy, sampling and beam search over step-wise models."""
