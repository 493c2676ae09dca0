"""Seq2seq tests share 2 CPU cores with other work: one thread, tiny sizes."""

import torch

torch.set_num_threads(1)
