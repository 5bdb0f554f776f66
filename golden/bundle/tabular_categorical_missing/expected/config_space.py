"""The search space of this bundle (ConfigSpace 1.x). Each dimension's meta names its rule."""

from ConfigSpace import Categorical, ConfigurationSpace, EqualsCondition, Float, Integer

SPACE_NAME = "census_like-tabular"
SPACE_SEED = 0


def get_configspace() -> ConfigurationSpace:
    """Build the space; equal to configspace.json beside this file."""
    cs = ConfigurationSpace(name=SPACE_NAME, seed=SPACE_SEED)
    cs.add(
        [
            Categorical(
                "algorithm",
                ["hist_gradient_boosting", "random_forest", "linear", "mlp"],
                default="hist_gradient_boosting",
                meta={
                    "rule": "S001-FAMILIES",
                    "reason": "one branch per family; hist_gradient_boosting first as the strongest tabular default",
                },
            ),
            Categorical(
                "categorical_encoding",
                ["onehot", "ordinal"],
                default="onehot",
                meta={
                    "rule": "S001-ENCODING",
                    "reason": "encode categorical features for the chosen algorithm",
                },
            ),
            Float(
                "hgb_l2_regularization",
                (1e-10, 1.0),
                default=1e-10,
                log=True,
                meta={"rule": "PRIOR-AUTOSKLEARN", "reason": "published range: AUTOSKLEARN"},
            ),
            Float(
                "hgb_learning_rate",
                (0.01, 1.0),
                default=0.1,
                log=True,
                meta={"rule": "PRIOR-AUTOSKLEARN", "reason": "published range: AUTOSKLEARN"},
            ),
            Integer(
                "hgb_max_iter",
                (32, 512),
                default=100,
                log=True,
                meta={
                    "rule": "PRIOR-AUTOSKLEARN",
                    "reason": "published range: AUTOSKLEARN (max_iter fixed at 512 with early stopping there; searched here when there is no budget)",
                },
            ),
            Integer(
                "hgb_max_leaf_nodes",
                (3, 2047),
                default=31,
                log=True,
                meta={"rule": "PRIOR-AUTOSKLEARN", "reason": "published range: AUTOSKLEARN"},
            ),
            Integer(
                "hgb_min_samples_leaf",
                (1, 200),
                default=20,
                log=True,
                meta={"rule": "PRIOR-AUTOSKLEARN", "reason": "published range: AUTOSKLEARN"},
            ),
            Categorical(
                "imputer",
                ["median", "mean"],
                default="median",
                meta={"rule": "S001-IMPUTER", "reason": "impute missing values when present"},
            ),
            Float(
                "linear_alpha",
                (0.0009765625, 1024.0),
                default=0.0009765625,
                log=True,
                meta={
                    "rule": "PRIOR-TUNABILITY",
                    "reason": "published range: TUNABILITY (glmnet lambda 2^[-10, 10])",
                },
            ),
            Float(
                "linear_l1_ratio",
                (0.0, 1.0),
                default=0.5,
                meta={
                    "rule": "PRIOR-TUNABILITY",
                    "reason": "published range: TUNABILITY (glmnet alpha [0, 1])",
                },
            ),
            Integer(
                "mlp_batch_size",
                (16, 512),
                default=128,
                log=True,
                meta={"rule": "PRIOR-LCBENCH", "reason": "published range: LCBENCH"},
            ),
            Float(
                "mlp_dropout",
                (0.0, 0.8),
                default=0.1,
                meta={
                    "rule": "PRIOR-LCBENCH",
                    "reason": "published range: LCBENCH (0..1; capped at 0.8 so a layer always passes signal)",
                },
            ),
            Integer(
                "mlp_epochs",
                (10, 100),
                default=50,
                log=True,
                meta={
                    "rule": "PRIOR-LCBENCH",
                    "reason": "published range: LCBENCH (50 epochs per learning curve)",
                },
            ),
            Float(
                "mlp_learning_rate",
                (0.0001, 0.1),
                default=0.001,
                log=True,
                meta={"rule": "PRIOR-LCBENCH", "reason": "published range: LCBENCH"},
            ),
            Integer(
                "mlp_n_layers",
                (1, 5),
                default=2,
                meta={"rule": "PRIOR-LCBENCH", "reason": "published range: LCBENCH"},
            ),
            Integer(
                "mlp_units",
                (64, 1024),
                default=256,
                log=True,
                meta={"rule": "PRIOR-LCBENCH", "reason": "published range: LCBENCH"},
            ),
            Float(
                "mlp_weight_decay",
                (1e-05, 0.1),
                default=0.0001,
                log=True,
                meta={"rule": "PRIOR-LCBENCH", "reason": "published range: LCBENCH"},
            ),
            Float(
                "rf_max_features",
                (0.1, 1.0),
                default=0.5,
                meta={
                    "rule": "PRIOR-TUNABILITY",
                    "reason": "published range: TUNABILITY (ranger mtry as a fraction)",
                },
            ),
            Float(
                "rf_max_samples",
                (0.1, 1.0),
                default=1.0,
                meta={
                    "rule": "PRIOR-TUNABILITY",
                    "reason": "published range: TUNABILITY (ranger sample.fraction [0.1, 1])",
                },
            ),
            Integer(
                "rf_min_samples_leaf",
                (1, 20),
                default=1,
                meta={"rule": "PRIOR-AUTOSKLEARN", "reason": "published range: AUTOSKLEARN"},
            ),
            Integer(
                "rf_n_estimators",
                (50, 500),
                default=200,
                log=True,
                meta={
                    "rule": "PRIOR-TUNABILITY",
                    "reason": "published range: TUNABILITY (num.trees up to 2000; capped at 500 for CPU cost)",
                },
            ),
            Categorical(
                "scaler",
                ["standard", "robust", "minmax", "none"],
                default="standard",
                meta={
                    "rule": "S001-SCALER",
                    "reason": "standard / robust / min-max scaling, fitted on the training split",
                },
            ),
        ]
    )
    cs.add(
        [
            EqualsCondition(cs["hgb_l2_regularization"], cs["algorithm"], "hist_gradient_boosting"),
            EqualsCondition(cs["hgb_learning_rate"], cs["algorithm"], "hist_gradient_boosting"),
            EqualsCondition(cs["hgb_max_iter"], cs["algorithm"], "hist_gradient_boosting"),
            EqualsCondition(cs["hgb_max_leaf_nodes"], cs["algorithm"], "hist_gradient_boosting"),
            EqualsCondition(cs["hgb_min_samples_leaf"], cs["algorithm"], "hist_gradient_boosting"),
            EqualsCondition(cs["linear_alpha"], cs["algorithm"], "linear"),
            EqualsCondition(cs["linear_l1_ratio"], cs["algorithm"], "linear"),
            EqualsCondition(cs["mlp_batch_size"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["mlp_dropout"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["mlp_epochs"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["mlp_learning_rate"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["mlp_n_layers"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["mlp_units"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["mlp_weight_decay"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["rf_max_features"], cs["algorithm"], "random_forest"),
            EqualsCondition(cs["rf_max_samples"], cs["algorithm"], "random_forest"),
            EqualsCondition(cs["rf_min_samples_leaf"], cs["algorithm"], "random_forest"),
            EqualsCondition(cs["rf_n_estimators"], cs["algorithm"], "random_forest"),
        ]
    )
    return cs


if __name__ == "__main__":
    print(get_configspace())
