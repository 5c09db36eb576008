"""Tables for people from a quality report: defined in :mod:`lib.data.quality` (light, imported by
the landing page without the engine); re-exported here under their pipeline names."""

from lib.data.quality import bronze_profile, silver_actions

__all__ = ["silver_actions", "bronze_profile"]
