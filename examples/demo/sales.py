"""Helpers shared by the demo notebooks (a local module: not a requirement)."""

import numpy as np
import pandas as pd


def load_sales(path):
    """Read the sales table and parse its dates."""
    frame = pd.read_csv(path, parse_dates=["date"])
    frame["units"] = frame["units"].astype(np.int64)
    return frame


def monthly_revenue(frame):
    """Revenue per calendar month."""
    revenue = frame["units"] * frame["price"]
    return revenue.groupby(frame["date"].dt.to_period("M")).sum()
