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
                ["lightgbm", "hist_gradient_boosting", "linear", "mlp"],
                default="lightgbm",
                meta={
                    "rule": "S001-FAMILIES",
                    "reason": "one branch per family; lightgbm first as the strongest tabular default",
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
                "lgb_colsample_bytree",
                (0.1, 1.0),
                default=1.0,
                meta={
                    "rule": "PRIOR-FLAML",
                    "reason": "published range: FLAML (colsample_bytree 0.01..1, init 1; floored at 0.1 as TUNABILITY's colsample)",
                },
            ),
            Float(
                "lgb_learning_rate",
                (0.01, 1.0),
                default=0.1,
                log=True,
                meta={
                    "rule": "PRIOR-FLAML",
                    "reason": "published range: FLAML (learning_rate 1/1024..1 log, init 0.1; floored at 0.01 because rounds are capped at 1000, as auto-sklearn's gradient-boosting range)",
                },
            ),
            Integer(
                "lgb_min_child_samples",
                (2, 128),
                default=20,
                log=True,
                meta={
                    "rule": "PRIOR-FLAML",
                    "reason": "published range: FLAML (min_child_samples 2..2^7 log, init 20)",
                },
            ),
            Integer(
                "lgb_num_leaves",
                (4, 1024),
                default=31,
                log=True,
                meta={
                    "rule": "PRIOR-FLAML",
                    "reason": "published range: FLAML (num_leaves 4..32768 log; capped at 1024 for tables of at most 10^5 rows; default LightGBM's 31)",
                },
            ),
            Float(
                "lgb_reg_alpha",
                (0.0009765625, 1024.0),
                default=0.0009765625,
                log=True,
                meta={
                    "rule": "PRIOR-TUNABILITY",
                    "reason": "published range: TUNABILITY (xgboost alpha 2^[-10,10]; FLAML's reg_alpha 1/1024..1024, init 1/1024)",
                },
            ),
            Float(
                "lgb_reg_lambda",
                (0.0009765625, 1024.0),
                default=1.0,
                log=True,
                meta={
                    "rule": "PRIOR-TUNABILITY",
                    "reason": "published range: TUNABILITY (xgboost lambda 2^[-10,10]; FLAML's reg_lambda 1/1024..1024, init 1)",
                },
            ),
            Float(
                "lgb_subsample",
                (0.5, 1.0),
                default=1.0,
                meta={
                    "rule": "PRIOR-TUNABILITY",
                    "reason": "published range: TUNABILITY (xgboost subsample [0.1, 1], tuned default 0.84; floored at 0.5 so small tables keep half their rows per tree)",
                },
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
                (128, 512),
                default=128,
                log=True,
                meta={
                    "rule": "HPG-TAB-CAPS",
                    "reason": "published range: LCBENCH; medium data: capped to [128, 512] so one fit stays short",
                },
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
            Float(
                "mlp_learning_rate",
                (0.0001, 0.1),
                default=0.001,
                log=True,
                meta={"rule": "PRIOR-LCBENCH", "reason": "published range: LCBENCH"},
            ),
            Integer(
                "mlp_n_layers",
                (1, 3),
                default=2,
                meta={
                    "rule": "HPG-TAB-CAPS",
                    "reason": "published range: LCBENCH; medium data: capped to [1, 3] so one fit stays short",
                },
            ),
            Integer(
                "mlp_units",
                (64, 256),
                default=256,
                log=True,
                meta={
                    "rule": "HPG-TAB-CAPS",
                    "reason": "published range: LCBENCH; medium data: capped to [64, 256] so one fit stays short",
                },
            ),
            Float(
                "mlp_weight_decay",
                (1e-05, 0.1),
                default=0.0001,
                log=True,
                meta={"rule": "PRIOR-LCBENCH", "reason": "published range: LCBENCH"},
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
            EqualsCondition(cs["hgb_max_leaf_nodes"], cs["algorithm"], "hist_gradient_boosting"),
            EqualsCondition(cs["hgb_min_samples_leaf"], cs["algorithm"], "hist_gradient_boosting"),
            EqualsCondition(cs["lgb_colsample_bytree"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_learning_rate"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_min_child_samples"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_num_leaves"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_reg_alpha"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_reg_lambda"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_subsample"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["linear_alpha"], cs["algorithm"], "linear"),
            EqualsCondition(cs["linear_l1_ratio"], cs["algorithm"], "linear"),
            EqualsCondition(cs["mlp_batch_size"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["mlp_dropout"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["mlp_learning_rate"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["mlp_n_layers"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["mlp_units"], cs["algorithm"], "mlp"),
            EqualsCondition(cs["mlp_weight_decay"], cs["algorithm"], "mlp"),
        ]
    )
    return cs


if __name__ == "__main__":
    print(get_configspace())
