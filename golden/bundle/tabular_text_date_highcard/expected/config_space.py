"""The search space of this bundle (ConfigSpace 1.x). Each dimension's meta names its rule."""

from ConfigSpace import Categorical, ConfigurationSpace, EqualsCondition, Float, Integer

SPACE_NAME = "used_cars-tabular"
SPACE_SEED = 0


def get_configspace() -> ConfigurationSpace:
    """Build the space; equal to configspace.json beside this file."""
    cs = ConfigurationSpace(name=SPACE_NAME, seed=SPACE_SEED)
    cs.add(
        [
            Categorical(
                "algorithm",
                ["lightgbm", "hist_gradient_boosting", "random_forest", "svm", "linear"],
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
                "high_cardinality_encoding",
                ["target", "frequency"],
                default="target",
                meta={
                    "rule": "HPG-COL-HIGHCARD",
                    "reason": "target or frequency encoding (high_cardinality_encoding), fitted on the fit rows only",
                },
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
            Float(
                "svm_C",
                (0.03125, 32768.0),
                default=1.0,
                log=True,
                meta={"rule": "PRIOR-AUTOSKLEARN", "reason": "published range: AUTOSKLEARN"},
            ),
            Float(
                "svm_gamma",
                (3.0517578125e-05, 8.0),
                default=0.1,
                log=True,
                meta={"rule": "PRIOR-AUTOSKLEARN", "reason": "published range: AUTOSKLEARN"},
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
            EqualsCondition(cs["lgb_colsample_bytree"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_learning_rate"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_min_child_samples"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_num_leaves"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_reg_alpha"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_reg_lambda"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["lgb_subsample"], cs["algorithm"], "lightgbm"),
            EqualsCondition(cs["linear_alpha"], cs["algorithm"], "linear"),
            EqualsCondition(cs["linear_l1_ratio"], cs["algorithm"], "linear"),
            EqualsCondition(cs["rf_max_features"], cs["algorithm"], "random_forest"),
            EqualsCondition(cs["rf_max_samples"], cs["algorithm"], "random_forest"),
            EqualsCondition(cs["rf_min_samples_leaf"], cs["algorithm"], "random_forest"),
            EqualsCondition(cs["rf_n_estimators"], cs["algorithm"], "random_forest"),
            EqualsCondition(cs["svm_C"], cs["algorithm"], "svm"),
            EqualsCondition(cs["svm_gamma"], cs["algorithm"], "svm"),
        ]
    )
    return cs


if __name__ == "__main__":
    print(get_configspace())
