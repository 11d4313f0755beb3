"""The Grafana dashboards of deploy/grafana/dashboards, written with grafana-foundation-sdk.

    python deploy/grafana/generate.py           # rewrite the JSON files
    python deploy/grafana/generate.py --check   # exit 1 if a file is not what this script writes

Edit the dashboards here, never the JSON (a test fails when the files are stale). Every panel's
PromQL is run against a real Prometheus scraping a live worker by tests/integration/test_prometheus.py.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import bargauge, common, prometheus, stat, table, timeseries
from grafana_foundation_sdk.builders import dashboard as board
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

OUT = Path(__file__).resolve().parent / "dashboards"
PROMETHEUS = dm.DataSourceRef(type_val="prometheus", uid="geopulse-prometheus")  # provisioning/datasources
WORKERS = 'job=~"$job", instance=~"$instance"'  # the selector of every panel: the chosen jobs and workers

Panel = Any  # a panel builder of the SDK (timeseries.Panel, stat.Panel, ...)


def of(metric: str, matchers: str = "") -> str:
    """`metric` of the chosen jobs and workers, with more label `matchers` if given."""
    return f"{metric}{{{WORKERS}{', ' + matchers if matchers else ''}}}"


def query(expr: str, legend: str, ref: str = "A", *, instant: bool = False, fmt: str | None = None) -> Any:
    q = prometheus.Dataquery().expr(expr).legend_format(legend).ref_id(ref)
    q = q.instant() if instant else q.range()
    return q.format(PromQueryFormat(fmt)) if fmt else q


def quantiles(metric: str, by: str, legend: str, levels: Sequence[float]) -> list[Any]:
    """histogram_quantile targets of `metric`, one per level (legend gets p50, p99, ...)."""
    return [query(f"histogram_quantile({q}, sum by ({by}) (rate({of(metric + '_bucket')}[$__rate_interval])))",
                  f"{legend}p{round(q * 100)}".strip(), chr(ord("A") + n))
            for n, q in enumerate(levels)]  # fmt: skip


def placed(panel: Panel, title: str, description: str, targets: Sequence[Any], size: tuple[int, int]) -> Panel:
    panel = panel.title(title).description(description).datasource(PROMETHEUS).span(size[0]).height(size[1])
    for target in targets:
        panel = panel.with_target(target)
    return panel


def graph(
    title: str,
    description: str,
    targets: Sequence[Any],
    size: tuple[int, int],
    *,
    unit: str = "ops",
    bars: bool = False,
    legend: str = "table",
    ratio: bool = False,
) -> Panel:
    """A time series panel; `bars` stacks bars (counts per interval), `ratio` pins the axis to 0..1."""
    panel = timeseries.Panel().unit(unit)
    if legend == "table":
        panel = panel.legend(
            common.VizLegendOptions()
            .display_mode(cm.LegendDisplayMode.TABLE)
            .placement(cm.LegendPlacement.RIGHT)
            .show_legend(True)
            .calcs(["lastNotNull", "max"])
        )
        panel = panel.tooltip(common.VizTooltipOptions().mode(cm.TooltipDisplayMode.MULTI)
                              .sort(cm.SortOrder.DESCENDING))  # fmt: skip
    else:
        panel = panel.legend(common.VizLegendOptions().display_mode(cm.LegendDisplayMode.LIST)
                             .placement(cm.LegendPlacement.BOTTOM).show_legend(True))  # fmt: skip
    if bars:
        panel = panel.draw_style(cm.GraphDrawStyle.BARS).fill_opacity(80).stacking(
            common.StackingConfig().mode(cm.StackingMode.NORMAL).group("A"))  # fmt: skip
    if ratio:
        panel = panel.min(0).max(1)
    return placed(panel, title, description, targets, size)


def figure(title: str, description: str, targets: Sequence[Any], size: tuple[int, int], unit: str | None) -> Panel:
    """A stat panel: the last value, large."""
    panel = stat.Panel().reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(False).fields(""))
    panel = panel.color_mode(cm.BigValueColorMode.VALUE).graph_mode(cm.BigValueGraphMode.AREA)
    panel = panel.text_mode(cm.BigValueTextMode.AUTO)
    return placed(panel.unit(unit) if unit else panel, title, description, targets, size)


def bars(title: str, description: str, targets: Sequence[Any], size: tuple[int, int], mode: str) -> Panel:
    """A horizontal bar gauge of the last values."""
    panel = bargauge.Panel().orientation(cm.VizOrientation.HORIZONTAL).display_mode(cm.BarGaugeDisplayMode(mode))
    panel = panel.reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(False).fields(""))
    panel = panel.show_unfilled(mode == "gradient").unit("short")
    return placed(panel, title, description, targets, size)


def variable(name: str, label: str, values_of: str) -> Any:
    return (board.QueryVariable(name).label(label).datasource(PROMETHEUS).query(f"label_values({values_of})")
            .include_all(True).multi(True).refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(dm.VariableSort.ALPHABETICAL_ASC)
            .current(dm.VariableOption(selected=True, text=["All"], value=["$__all"])))  # fmt: skip


def dashboard(uid: str, title: str, description: str, rows: Sequence[tuple[str, Sequence[Panel]]]) -> dict[str, Any]:
    """A geopulse dashboard: UTC, last 6 h, the job and worker variables, linked to its siblings."""
    built = (board.Dashboard(title).uid(uid).description(description).tags(["geopulse"]).timezone("utc")
             .editable().tooltip(dm.DashboardCursorSync.CROSSHAIR).refresh("30s").time("now-6h", "now")
             .with_variable(variable("job", "Job", "geopulse_build_info, job"))
             .with_variable(variable("instance", "Worker", 'geopulse_build_info{job=~"$job"}, instance'))
             .link(board.DashboardLink("geopulse dashboards").type(dm.DashboardLinkType.DASHBOARDS)
                   .tags(["geopulse"]).as_dropdown(True)))  # fmt: skip
    for row, panels in rows:
        built = built.with_row(board.Row(row))
        for panel in panels:
            built = built.with_panel(panel)
    model: dict[str, Any] = json.loads(json.dumps(built.build(), cls=JSONEncoder))
    for n, panel in enumerate(model["panels"], 1):  # ids are the panels' order (the SDK leaves them 0 or unset)
        panel["id"] = n
    return model


def spikes_overview() -> dict[str, Any]:
    stories = of("geopulse_window_stories", 'topic!="all"')
    top = f"topk(10, max by (country, topic) ({stories}))"
    alerts, opened = of("geopulse_alerts_total"), of("geopulse_alerts_total", 'status="open"')
    return dashboard("geopulse-spikes", "geopulse · spikes overview",
                     "Which country/topic series are busiest now, and when alerts opened, updated and resolved.", [
        ("Series", [
            bars("Top series in their current window", "Stories in the current event-time window of the 10 "
                 "busiest country·topic series (topic `all` left out).",
                 [query(top, "{{country}} · {{topic}}", instant=True)], (8, 10), "gradient"),
            graph("Top series over time", "Stories in the current window of the 10 busiest series, as it fills.",
                  [query(top, "{{country}} · {{topic}}")], (16, 10), unit="short"),
        ]),
        ("Alerts", [
            figure("Alerts opened", "Alerts that opened in the dashboard's time range, by severity.",
                   [query(f"sum by (severity) (increase({opened}[$__range]))", "{{severity}}", instant=True)],
                   (6, 8), "short"),
            graph("Alert timeline", "Alert lifecycle steps (open, update, resolved) per interval, stacked by "
                  "status and severity.",
                  [query(f"sum by (status, severity) (increase({alerts}[$__rate_interval]))",
                         "{{status}} · {{severity}}")], (18, 8), unit="short", bars=True),
        ]),
        ("Events", [
            graph("Events tagged by PLOVER type", "Non-negated events tagged per second, by PLOVER type.",
                  [query(f"sum by (type) (rate({of('geopulse_events_total')}[$__rate_interval]))", "{{type}}")],
                  (24, 8)),
        ]),
    ])  # fmt: skip


def pipeline_health() -> dict[str, Any]:
    articles, dead = of("geopulse_articles_total"), of("geopulse_dead_letters_total")
    valid, lag = (
        of("geopulse_articles_total", 'outcome="valid"'),
        of("geopulse_consumer_lag_messages", 'topic!~".*-changelog"'),
    )
    return dashboard("geopulse-pipeline", "geopulse · pipeline health",
                     "Are the workers up, keeping up and accepting their input? Throughput, latency, lag, dead "
                     "letters.", [
        ("Workers", [
            figure("Workers up", "Workers Prometheus scrapes successfully.",
                   [query(f"sum({of('up')})", "up", instant=True)], (4, 6), None),
            figure("Invalid input", "Share of messages on the articles topic that were dead-lettered (recorded "
                   "over 5m).", [query('max(job:geopulse_articles_invalid:ratio_rate5m{job=~"$job"})', "invalid")],
                   (4, 6), "percentunit"),
            placed(table.Panel(), "Builds", "Version and tagger version of each worker.",
                   [query(of("geopulse_build_info"), "__auto", instant=True, fmt="table")], (10, 6)),
            graph("State keys", "Keys each worker holds in its count/detect state.",
                  [query(f"sum by (instance) ({of('geopulse_state_keys')})", "{{instance}}")], (6, 6),
                  unit="short", legend="list"),
        ]),
        ("Throughput", [
            graph("Articles by outcome", "Articles per second: valid, invalid, counted, duplicate, late.",
                  [query(f"sum by (outcome) (rate({articles}[$__rate_interval]))", "{{outcome}}")], (12, 8)),
            graph("Valid articles per worker", "Articles tagged per second by each worker.",
                  [query(f"sum by (instance) (rate({valid}[$__rate_interval]))", "{{instance}}")], (12, 8)),
        ]),
        ("Latency", [
            graph("Tagging duration", "Time to tag one article (p50, p99).",
                  quantiles("geopulse_tagging_duration_seconds", "le", "", (0.5, 0.99)), (8, 8), unit="s"),
            graph("Kafka → events latency", "From an article's Kafka timestamp to its TaggedArticle on `events` "
                  "(p50, p90, p99).", quantiles("geopulse_ingest_to_event_latency_seconds", "le", "",
                                                (0.5, 0.9, 0.99)), (8, 8), unit="s"),
            graph("News age at tagging", "From an article's published_at to its TaggedArticle on `events` (p50, "
                  "p90): how fresh the input is.",
                  quantiles("geopulse_published_to_event_latency_seconds", "le", "", (0.5, 0.9)), (8, 8), unit="s"),
        ]),
        ("Lag and dead letters", [
            graph("Consumer lag by topic", "Messages behind the end of the assigned input partitions, summed per "
                  "topic (table changelogs, which the worker writes, left out).",
                  [query(f"sum by (topic) ({lag})", "{{topic}}")], (12, 8), unit="short"),
            graph("Dead letters by reason", "Messages sent to a dead-letter topic per second, by topic and reason.",
                  [query(f"sum by (topic, reason) (rate({dead}[$__rate_interval]))", "{{topic}} · {{reason}}")],
                  (12, 8)),
            bars("Dead letters in range", "Dead letters in the dashboard's time range, by reason.",
                 [query(f"sum by (reason) (increase({dead}[$__range]))", "{{reason}}", instant=True)], (24, 6),
                 "basic"),
        ]),
    ])  # fmt: skip


def delivery_health() -> dict[str, Any]:
    deliveries = of("geopulse_webhook_deliveries_total")
    gave_up = of("geopulse_dead_letters_total", 'topic=~".*webhooks.*"')
    return dashboard("geopulse-delivery", "geopulse · delivery health",
                     "Are alerts reaching the webhook endpoints? Attempts by outcome, failure ratio, latency, dead "
                     "letters.", [
        ("Alerts to deliver", [
            graph("Alert lifecycle steps", "Alert steps per second, the input of webhook delivery.",
                  [query(f"sum by (status) (rate({of('geopulse_alerts_total')}[$__rate_interval]))",
                         "{{status}}")], (24, 6)),
        ]),
        ("Webhooks", [
            graph("Deliveries by outcome", "Webhook delivery attempts per second, by endpoint and outcome.",
                  [query(f"sum by (endpoint, outcome) (rate({deliveries}[$__rate_interval]))",
                         "{{endpoint}} · {{outcome}}")], (12, 8)),
            graph("Failure ratio", "Share of attempts per endpoint that did not succeed (recorded over 5m).",
                  [query('max by (endpoint) (endpoint:geopulse_webhook_deliveries_failed:ratio_rate5m{job=~"$job"})',
                         "{{endpoint}}")], (12, 8), unit="percentunit", ratio=True),
            graph("Delivery latency", "Duration of one webhook attempt by endpoint (p50, p99).",
                  quantiles("geopulse_webhook_delivery_duration_seconds", "endpoint, le", "{{endpoint}} ",
                            (0.5, 0.99)), (12, 8), unit="s"),
            graph("Deliveries that gave up", "Deliveries sent to the webhooks dead-letter topic after their last "
                  "attempt.", [query(f"sum by (topic, reason) (increase({gave_up}[$__rate_interval]))", "{{reason}}")],
                  (12, 8), unit="short", bars=True),
        ]),
    ])  # fmt: skip


DASHBOARDS: dict[str, Callable[[], dict[str, Any]]] = {
    "spikes-overview": spikes_overview,
    "pipeline-health": pipeline_health,
    "delivery-health": delivery_health,
}


def rendered() -> dict[str, str]:
    """The text of each dashboard file, by file name."""
    return {
        f"{name}.json": json.dumps(build(), indent=2, ensure_ascii=False) + "\n" for name, build in DASHBOARDS.items()
    }


def main(argv: Sequence[str] = ()) -> int:
    check = "--check" in argv
    stale = [name for name, text in rendered().items()
             if not (OUT / name).exists() or (OUT / name).read_text(encoding="utf-8") != text]  # fmt: skip
    if check:
        print(
            f"stale dashboards (run python deploy/grafana/generate.py): {', '.join(stale)}" if stale else "up to date"
        )
        return 1 if stale else 0
    for name, text in rendered().items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(DASHBOARDS)} dashboards in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
