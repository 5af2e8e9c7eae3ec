"""JSON output shared by the test scripts: MLflow's REST spelling of non-finite floats."""

import math


def clean(value):
    """JSON-safe: non-finite floats become the strings MLflow's REST API uses."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value
