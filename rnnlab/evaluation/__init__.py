"""Evaluation metrics: perplexity, BLEU and chrF, and task-specific scores."""
