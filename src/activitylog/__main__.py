from activitylog.cli import main

main()
