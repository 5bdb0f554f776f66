"""The search space of this bundle (ConfigSpace 1.x). Each dimension's meta names its rule."""

from ConfigSpace import Categorical, ConfigurationSpace, EqualsCondition, Float, Integer

SPACE_NAME = "airline-time_series"
SPACE_SEED = 0


def get_configspace() -> ConfigurationSpace:
    """Build the space; equal to configspace.json beside this file."""
    cs = ConfigurationSpace(name=SPACE_NAME, seed=SPACE_SEED)
    cs.add(
        [
            Categorical(
                "algorithm",
                ["statistical", "boosting", "neural"],
                default="statistical",
                meta={
                    "rule": "HPG-FC-FAMILIES",
                    "reason": "one branch per family; statistical first as the fast standard",
                },
            ),
            Categorical(
                "lgbm_difference",
                [True, False],
                default=True,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "Hyndman & Athanasopoulos 2021, section 9.1: first differences remove a trend that trees cannot extrapolate; every window is also scaled by its last season's mean level",
                },
            ),
            Float(
                "lgbm_feature_fraction",
                (0.5, 1.0),
                default=0.9,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "Makridakis et al. 2022 (M5 winners: feature fraction 0.5-0.9)",
                },
            ),
            Float(
                "lgbm_learning_rate",
                (0.01, 0.3),
                default=0.05,
                log=True,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "Makridakis et al. 2022 (M5: LightGBM at learning rates 0.01-0.1); Probst et al. 2019 tunability ranges",
                },
            ),
            Integer(
                "lgbm_lookback",
                (1, 5),
                default=2,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "Oreshkin et al. 2020 (N-BEATS: input windows of 2 to 7 horizons); here lags = lookback x max(horizon, season length)",
                },
            ),
            Integer(
                "lgbm_min_data_in_leaf",
                (2, 64),
                default=10,
                log=True,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "LightGBM's default 20, lower for the few windows of short series",
                },
            ),
            Integer(
                "lgbm_num_leaves",
                (4, 64),
                default=16,
                log=True,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "LightGBM's default 31 leaves, smaller for the few windows of short series",
                },
            ),
            Integer(
                "lgbm_rounds",
                (50, 1000),
                default=300,
                log=True,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "Ke et al. 2017 (LightGBM); searched only in full-fidelity spaces, else the budget sets it",
                },
            ),
            Categorical(
                "nn_architecture",
                ["mlp", "nbeats"],
                default="mlp",
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "Oreshkin et al. 2020 (N-BEATS: stacks of fully connected blocks with backcast and forecast); a plain MLP on the window as the smaller model",
                },
            ),
            Categorical(
                "nn_batch_size",
                [32, 64, 128],
                default=64,
                ordered=True,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "hpogen: small batches for the few windows of short series (N-BEATS used 1024 on M4)",
                },
            ),
            Integer(
                "nn_depth",
                (1, 4),
                default=2,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "Oreshkin et al. 2020: 4 layers per block (MLP: hidden layers; N-BEATS: blocks of 2 layers)",
                },
            ),
            Float(
                "nn_dropout",
                (0.0, 0.3),
                default=0.0,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "hpogen: none to moderate dropout between hidden layers",
                },
            ),
            Integer(
                "nn_epochs",
                (20, 300),
                default=100,
                log=True,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "hpogen: searched only in full-fidelity spaces, else the budget sets it; early stopping on the last window of each series",
                },
            ),
            Float(
                "nn_learning_rate",
                (0.0001, 0.01),
                default=0.001,
                log=True,
                meta={"rule": "HPG-FC-SPACE", "reason": "Oreshkin et al. 2020: Adam at 0.001"},
            ),
            Integer(
                "nn_lookback",
                (1, 5),
                default=2,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "Oreshkin et al. 2020: input windows of 2 to 7 horizons (here multiples of max(horizon, season length))",
                },
            ),
            Integer(
                "nn_width",
                (32, 512),
                default=128,
                log=True,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "Oreshkin et al. 2020: 512 units per layer; smaller for CPU searches",
                },
            ),
            Categorical(
                "stat_model",
                ["ets", "theta", "arima", "combination", "seasonal_naive"],
                default="ets",
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "Hyndman & Athanasopoulos 2021, section 5.2 (the seasonal naive benchmark, a candidate so that the search can keep it where nothing beats it); Hyndman et al. 2002 (ETS state space models, AutoETS), Hyndman & Khandakar 2008 (AutoARIMA), Fiorucci et al. 2016 (optimised Theta, AutoTheta), all as statsforecast implements them; Makridakis et al. 2020 (M4): combining forecasts is more accurate than any one of them, here the mean of the three",
                },
            ),
            Categorical(
                "stat_seasonal",
                [True, False],
                default=True,
                meta={
                    "rule": "HPG-FC-SPACE",
                    "reason": "Hyndman & Athanasopoulos 2021, section 8.3: with the season length, or without a seasonal component when the pattern is weak",
                },
            ),
        ]
    )
    cs.add(
        [
            EqualsCondition(cs["lgbm_difference"], cs["algorithm"], "boosting"),
            EqualsCondition(cs["lgbm_feature_fraction"], cs["algorithm"], "boosting"),
            EqualsCondition(cs["lgbm_learning_rate"], cs["algorithm"], "boosting"),
            EqualsCondition(cs["lgbm_lookback"], cs["algorithm"], "boosting"),
            EqualsCondition(cs["lgbm_min_data_in_leaf"], cs["algorithm"], "boosting"),
            EqualsCondition(cs["lgbm_num_leaves"], cs["algorithm"], "boosting"),
            EqualsCondition(cs["lgbm_rounds"], cs["algorithm"], "boosting"),
            EqualsCondition(cs["nn_architecture"], cs["algorithm"], "neural"),
            EqualsCondition(cs["nn_batch_size"], cs["algorithm"], "neural"),
            EqualsCondition(cs["nn_depth"], cs["algorithm"], "neural"),
            EqualsCondition(cs["nn_dropout"], cs["algorithm"], "neural"),
            EqualsCondition(cs["nn_epochs"], cs["algorithm"], "neural"),
            EqualsCondition(cs["nn_learning_rate"], cs["algorithm"], "neural"),
            EqualsCondition(cs["nn_lookback"], cs["algorithm"], "neural"),
            EqualsCondition(cs["nn_width"], cs["algorithm"], "neural"),
            EqualsCondition(cs["stat_model"], cs["algorithm"], "statistical"),
            EqualsCondition(cs["stat_seasonal"], cs["algorithm"], "statistical"),
        ]
    )
    return cs


if __name__ == "__main__":
    print(get_configspace())
