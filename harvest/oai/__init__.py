"""OAI-PMH 2.0 harvesting: a client (:mod:`.client`), the protocol's entities and errors
(:mod:`.protocol`, :mod:`.errors`), and the incremental, crash-safe harvest of one
source into the record store (:mod:`.harvester`).

The CLI needs only what is exported here.
"""

from .check import SourceCheck, check_source
from .client import HttpTransport, OaiClient, RetryNotice, RetryPolicy
from .harvester import harvest_oai_source
from .report import (BadPageLog, HarvestProgress, HarvestReport, describe_run, harvest_history,
                     harvest_status)

__all__ = ["BadPageLog", "HarvestProgress", "HarvestReport", "HttpTransport", "OaiClient",
           "RetryNotice", "RetryPolicy", "SourceCheck", "check_source", "describe_run",
           "harvest_history", "harvest_oai_source", "harvest_status"]
