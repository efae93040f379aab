"""Testing room: the infrastructure of the test run, never imported by a notebook.

Modules: ``browser``, ``claimreport``, ``exercises``, ``headless``, ``hostile``, ``hub``, ``incidents``, ``labclient``,
``leakguard``, ``loopback``, ``pytest_plugin``
(one line each on their role: :mod:`helpers`).  ``pyproject.toml`` loads the plugins
(``-p helpers.testing.pytest_plugin -p helpers.testing.leakguard -p helpers.testing.claimreport``); the leak guard's generated
``sitecustomize`` installs ``loopback`` and ``incidents`` in every kernel and child interpreter.
"""
