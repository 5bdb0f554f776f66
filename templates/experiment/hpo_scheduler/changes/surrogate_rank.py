"""Catalogue change (surrogate hook): a surrogate ranks sampled configurations before one is
started, so the scheduler spends its first rungs on the most promising candidates.

A random forest (Hutter et al. 2011, SMAC's surrogate) fitted to the scores seen so far ranks
boil_candidates random samples by its mean prediction plus surrogate_kappa times the spread of
its trees (an upper confidence bound); with fewer than two scores the sampled order stands.
"""

import numpy as np


def forest_ranking(candidates: list[dict], history: list, space, training: dict) -> list[dict]:
    """candidates best first by the forest's upper confidence bound."""
    if len(history) < 2:
        return list(candidates)
    from sklearn.ensemble import RandomForestRegressor

    X = np.array([space.unit(config) for config, _ in history])
    y = np.array([score for _, score in history])
    forest = RandomForestRegressor(n_estimators=50, min_samples_leaf=1, random_state=0).fit(X, y)
    grid = np.array([space.unit(c) for c in candidates])
    per_tree = np.stack([tree.predict(grid) for tree in forest.estimators_])
    bound = per_tree.mean(axis=0) + number(training, "surrogate_kappa", 1.0) * per_tree.std(axis=0)
    return [candidates[i] for i in np.argsort(-bound, kind="stable")]
