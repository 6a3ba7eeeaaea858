"""RNN Gradient Lab core: exact NumPy RNN, LSTM and GRU with BPTT, Jacobian chains and helpers.

Pure NumPy, float64, PyTorch's equations, parameter names, shapes and gate order.
"""
from .activations import ACTIVATIONS, Activation, get_activation, sigmoid
from .chains import chain_log10_norms, diag_chain_log10_norms, influence_norms, memory_horizon
from .cliff import cliff_loss, descend
from .clipping import clip_by_norm, clip_by_value, global_norm
from .gru import GRU
from .lstm import LSTM
from .recurrent import Trace
from .rnn import RNN
from .stacked import StackedRNN

__all__ = [
    "ACTIVATIONS", "Activation", "GRU", "LSTM", "RNN", "StackedRNN", "Trace", "chain_log10_norms",
    "cliff_loss", "clip_by_norm", "clip_by_value", "descend", "global_norm",
    "diag_chain_log10_norms", "get_activation", "influence_norms", "memory_horizon", "sigmoid",
]
