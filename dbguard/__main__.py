from dbguard.cli import main

main()
