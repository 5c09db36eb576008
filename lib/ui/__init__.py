"""The only part of ``lib`` that imports streamlit: cached loaders and shared widgets.

Importing it switches a fresh server process to the app's declared navigation (see
``lib.ui.navigation``): every page imports ``lib.ui``, so a deep link on a fresh server
(``/catalog?genre=Drama``) opens inside the app's navigation with its dataset picker.
"""

from lib.ui.navigation import use_declared_navigation

use_declared_navigation()
