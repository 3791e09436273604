"""A Flower app (``flwr run medlab/federated/app <connection>``): FedAvg on simulated hospitals.

``pyproject.toml`` holds the run config; ``medlab.federated.app.server_app``
and ``medlab.federated.app.client_app`` expose the ``ServerApp`` and
``ClientApp`` built by ``medlab.federated.flower.deployment_apps``, the same
code the simulation runs.

Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
"""
