"""The 情形与规则 tab of an item: situation questions, variants, the rule builder and the live preview."""
