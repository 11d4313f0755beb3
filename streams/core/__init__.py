"""Pure logic of geopulse: no Kafka, faust, HTTP or metrics imports here.

The worker, `geopulse replay` and the tests all call these objects, so they give the same results.
"""
