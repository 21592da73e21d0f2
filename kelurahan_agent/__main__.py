import sys

from kelurahan_agent.cli import main

sys.exit(main())
