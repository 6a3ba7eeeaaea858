"""One module per lecture page: the exact numbers behind each demo, as plain NumPy arrays.

Pages turn these dicts into charts; a notebook can call them directly.
"""
