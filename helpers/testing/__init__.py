"""Testing: the infrastructure of the test run (pytest plugins, guards, hostile clients); never imported by a notebook.

- :mod:`helpers.testing.browser`       renders a notebook in JupyterLab with headless Chromium (a test)
- :mod:`helpers.testing.hostile`       hostile clients: random bytes, 1 MiB, slowloris, resets, half-close, 10,000 connections
- :mod:`helpers.testing.incidents`     incidents (non-loopback access, unclosed resources) recorded by kernels and children
- :mod:`helpers.testing.leakguard`     pytest plugin: fails a test or notebook that leaves a process, socket, thread or file behind
- :mod:`helpers.testing.loopback`      audit hook: no socket may connect to or bind a non-loopback address
- :mod:`helpers.testing.pytest_plugin` pytest hooks (a notebook cell that timed out fails the run)
"""
