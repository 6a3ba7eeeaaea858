import ui  # noqa: F401
from ui.blas import blas_threads


def test_app_uses_one_blas_thread():
    assert blas_threads() and all(n == 1 for n in blas_threads())
