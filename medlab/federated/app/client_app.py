"""The ``ClientApp`` of the deployment app (``clientapp`` component of its ``pyproject.toml``).

Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
"""

from medlab.federated.flower import deployment_apps

app = deployment_apps()[1]
