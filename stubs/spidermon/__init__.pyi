from spidermon.core.actions import Action as Action
from spidermon.core.monitors import Monitor as Monitor
from spidermon.core.suites import MonitorSuite as MonitorSuite
from spidermon.decorators import monitors as monitors
from spidermon.results.monitor import MonitorResult as MonitorResult
from spidermon.runners import MonitorRunner as MonitorRunner
