from citeslab_xl.cli import main

main()
