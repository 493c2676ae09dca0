"""Building blocks shared by task models: attention, embeddings, output heads."""
