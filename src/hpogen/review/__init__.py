"""The AST reviewer (`hpogen review`) for experiment packages and train functions: one rule
per module, each with VALID and INVALID examples. It reads text and syntax trees only and
never imports or runs what it reviews. Filled by the review work.
"""
