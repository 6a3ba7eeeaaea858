"""RNN Gradient Lab core: exact NumPy RNN, LSTM and GRU with BPTT, Jacobian chains and helpers.

Pure NumPy, float64, PyTorch's equations, parameter names, shapes and gate order.
"""
from .activations import ACTIVATIONS, Activation, get_activation, sigmoid
from .chains import chain_log10_norms, diag_chain_log10_norms, influence_norms, memory_horizon
from .gru import GRU
from .lstm import LSTM
from .recurrent import Trace
from .rnn import RNN

__all__ = [
    "ACTIVATIONS", "Activation", "GRU", "LSTM", "RNN", "Trace", "chain_log10_norms",
    "diag_chain_log10_norms", "get_activation", "influence_norms", "memory_horizon", "sigmoid",
]
