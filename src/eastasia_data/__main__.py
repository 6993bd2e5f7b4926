from eastasia_data.cli import run

run()
