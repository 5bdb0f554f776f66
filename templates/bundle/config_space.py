"""The search space of this bundle (ConfigSpace 1.x). Each dimension's meta names its rule."""

from ConfigSpace import Categorical, ConfigurationSpace, EqualsCondition, Float, InCondition, Integer

SPACE_NAME = {space_name}
SPACE_SEED = {space_seed}


def get_configspace() -> ConfigurationSpace:
    """Build the space; equal to configspace.json beside this file."""
    cs = ConfigurationSpace(name=SPACE_NAME, seed=SPACE_SEED)
    cs.add({hyperparameters})
    cs.add({conditions})
    return cs


if __name__ == "__main__":
    print(get_configspace())
