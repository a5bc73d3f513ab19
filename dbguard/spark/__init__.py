"""Apache Spark for dbguard: the session dbguard builds (`session`) and the configured tables
registered in it (`tables`). pyspark comes with the optional extra `dbguard[spark]`."""
