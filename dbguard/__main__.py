from dbguard.cli import main

# The guard matters: the watcher's forkserver children import __main__ again.
if __name__ == "__main__":
    main()
