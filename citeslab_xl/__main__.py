from citeslab_xl.doors.cli import main

main()
