#!/usr/bin/env python3
"""A small moving-average crossover backtest for `converge loop` (stdlib only).

Contract: one JSON object on stdin,
  {"experiment_id": ..., "iteration": ..., "strategy": {"name", "parameters", "code_path"}},
one JSON object of metric name -> number on stdout. Anything written to stderr is
kept as the iteration's log. A non-zero exit is a failed evaluation.
"""
import json
import math
import random
import sys


def prices(days=750, seed=7):
    """A deterministic synthetic price series: a drifting random walk with regimes."""
    rng = random.Random(seed)
    price, out = 100.0, []
    for day in range(days):
        drift = 0.0009 if (day // 125) % 2 == 0 else -0.0004
        price *= math.exp(drift + rng.gauss(0, 0.012))
        out.append(price)
    return out


def backtest(series, fast, slow, stop_loss):
    """Long when the fast average is above the slow one; a stop loss closes a losing trade."""
    returns, trades, in_trade, entry = [], [], False, 0.0
    for t in range(slow, len(series)):
        window = series[t - slow:t]
        fast_ma = sum(window[-fast:]) / fast
        slow_ma = sum(window) / slow
        daily = series[t] / series[t - 1] - 1
        if in_trade:
            returns.append(daily)
            loss = series[t] / entry - 1
            if fast_ma < slow_ma or loss < -stop_loss:
                trades.append(loss)
                in_trade = False
        else:
            returns.append(0.0)
            if fast_ma > slow_ma:
                in_trade, entry = True, series[t]
    return returns, trades


def metrics(returns, trades):
    mean = sum(returns) / len(returns)
    sd = math.sqrt(sum((r - mean) ** 2 for r in returns) / max(1, len(returns) - 1))
    equity, peak, drawdown = 1.0, 1.0, 0.0
    for r in returns:
        equity *= 1 + r
        peak = max(peak, equity)
        drawdown = max(drawdown, 1 - equity / peak)
    return {
        "sharpe_ratio": mean / sd * math.sqrt(252) if sd > 0 else 0.0,
        "max_drawdown": drawdown,
        "win_rate": sum(1 for t in trades if t > 0) / len(trades) if trades else 0.0,
        "total_return": equity - 1,
        "trade_count": len(trades),
    }


def main():
    request = json.load(sys.stdin)
    p = request["strategy"]["parameters"]
    fast, slow, stop_loss = int(p["fast"]), int(p["slow"]), float(p["stop_loss"])
    if fast >= slow:
        print(f"fast ({fast}) must be below slow ({slow})", file=sys.stderr)
        sys.exit(1)
    print(f"iteration {request['iteration']}: fast={fast} slow={slow} stop_loss={stop_loss}", file=sys.stderr)
    returns, trades = backtest(prices(), fast, slow, stop_loss)
    result = metrics(returns, trades)
    print(f"{len(trades)} trades", file=sys.stderr)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
