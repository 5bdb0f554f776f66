"""The review rules, one class per module; `all_rules()` finds them all."""
