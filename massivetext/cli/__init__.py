"""The ``massivetext`` command line: one module per subcommand.

``main`` dispatches to the subcommands that setup.py declares as
``massivetext.commands`` entry points (the Beam ones live in
:mod:`massivetext.pipelines`). A subcommand module parses arguments and calls the
library; ``filter_options`` generates every filter's threshold options, for ``score``
here and ``run`` in the pipelines alike. May import any core package, never Beam.
"""
