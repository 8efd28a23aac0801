from activitylog.cli import main

# Guarded: a process started with multiprocessing's "spawn" imports the parent's __main__ again.
if __name__ == "__main__":
    main()
