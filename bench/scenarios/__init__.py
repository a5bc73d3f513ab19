"""One module per benchmark of issue 5; each `run(context) -> Section`."""
