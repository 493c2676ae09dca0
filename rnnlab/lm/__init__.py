"""Language-model tasks, one concept per module.

- :mod:`~rnnlab.lm.config`      ``LMExperiment``: ``task``, ``[data]``, ``[model]``, ``[train]``, ``[sample]``
- :mod:`~rnnlab.lm.corpus`      read, split, tokenize, build the vocabulary, encode
- :mod:`~rnnlab.lm.task`        the Trainer hook (``LanguageModelling``) and batches
- :mod:`~rnnlab.lm.training`    ``train_language_model(experiment)`` end to end
- :mod:`~rnnlab.lm.saved`       a trained model read back from its run folder
- :mod:`~rnnlab.lm.generation`  state-carrying generation, lines, sampling settings
- :mod:`~rnnlab.lm.evaluation`  perplexity / bits per character on a file, unknown rate
- :mod:`~rnnlab.lm.embeddings`  neighbours, 3CosAdd / 3CosMul analogies, word2vec export, PCA plot
- :mod:`~rnnlab.lm.numpy_twin`  a NumPy Elman LM with hand-written BPTT (seed 001)

The model itself is :class:`rnnlab.models.language_model.LanguageModel`.
"""
