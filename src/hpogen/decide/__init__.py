"""Stage 2 of the flow: DatasetSpec (+ OpenML insights) -> Decisions, by the tables in rules/.

Every choice records the rule that made it and why; nothing here renders text or code.
"""
