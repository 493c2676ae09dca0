"""Task models: language model, classifier, tagger, forecaster, seq2seq (one module each)."""
