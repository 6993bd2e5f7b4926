import sys

from eastasia_data.cli import main

sys.exit(main())
