"""`gov3 saemaul demo`: a synthetic Haenam county that replays the documented history.

Haenam-gun (Jeollanam-do) had 485 villages; in 1971 319 were basic, 146 self-help and 20
self-reliant, in 1979 none basic, 14 self-help and 471 self-reliant (Encyclopedia of Korean
Local Culture, Haenam-gun, 새마을운동). The demo makes 485 synthetic villages in Haenam's 14
eup/myeon, replays the 1970 seed round and the 1971 merit round through the real allocation
code, records the class path 1971-1979 (intermediate years interpolated, each village only ever
promoted), loads the national reference figures, and stages a present-day model-village round
in Hwasan-myeon with projects at every step of the workflow. Every step is idempotent.

The parts, by what they do: `county` (Haenam's areas and the documented figures), `history`
(the rounds and classes of 1970-1979 replayed), `live_round` (the present-day round in
Hwasan-myeon), `projects` (projects across the county at every step), `load` (`load_demo`) and
`accounts` (the demo accounts).
"""

from gov3.demo.saemaul.accounts import PASSWORD, SaemaulLogin, set_up_demo_accounts
from gov3.demo.saemaul.county import (
    ACTOR,
    CLASS_PATH,
    COUNTRY,
    COUNTY,
    EUP_MYEON,
    HAENAM_VILLAGES,
    HWASAN,
    PROVINCE,
    RESULT_SHARE,
    SEED,
    district_code,
)
from gov3.demo.saemaul.history import interpolated_path
from gov3.demo.saemaul.load import DemoSummary, load_demo
from gov3.demo.saemaul.projects import SPREAD_PER_DISTRICT

__all__ = [
    "ACTOR",
    "CLASS_PATH",
    "COUNTRY",
    "COUNTY",
    "EUP_MYEON",
    "HAENAM_VILLAGES",
    "HWASAN",
    "PASSWORD",
    "PROVINCE",
    "RESULT_SHARE",
    "SEED",
    "SPREAD_PER_DISTRICT",
    "DemoSummary",
    "SaemaulLogin",
    "district_code",
    "interpolated_path",
    "load_demo",
    "set_up_demo_accounts",
]
