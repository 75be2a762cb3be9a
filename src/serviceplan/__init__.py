"""serviceplan: monthly reporting for the City of Lahti employment services' service plan."""

__version__ = "0.1.0"
