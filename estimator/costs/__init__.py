"""One module per cost category; each turns a scenario (and its traffic) into line items."""
