"""Know the value of the data: what a breach of each dataset would cost, and what is at stake now.

`table` holds the cost per record by category group, with its sources (`record_costs.json`);
`at_risk` values each dataset (volume x cost per record, raised by its open findings) and ranks
them; `cli` is `guardian risk`.
"""
