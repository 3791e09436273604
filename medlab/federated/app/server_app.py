"""The ``ServerApp`` of the deployment app (``serverapp`` component of its ``pyproject.toml``).

Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
"""

from medlab.federated.flower import deployment_apps

app = deployment_apps()[0]
