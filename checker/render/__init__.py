"""What a person reads: the terminal report, the справка and plan documents, the rule
catalogue and the coverage of the source documents."""
