"""Chart builders: metric frames in, Altair charts out; nothing here renders or saves.

Every builder is a pure function taking the frames of
:class:`pmo_lib.analysis.core.PortfolioAnalysis` and keyword-only options, and
returns an ``alt.Chart`` (or a layered chart) with its data inline. Render
it with :func:`pmo_lib.charts.render.chart_svg` or ``show_chart``. An empty
input gives a chart saying "No data", never an exception.

Examples
--------
>>> import pandas as pd
>>> from pmo_lib.charts import rag_distribution
>>> chart = rag_distribution(pd.DataFrame({"overall_rag": ["red", "green"]}))
>>> chart.to_dict()["title"]["text"]
'Projects by overall RAG'
"""

# The size of a small multiple, for views that lay charts side by side (explicit re-exports).
from pmo_lib.charts._common import SMALL_HEIGHT as SMALL_HEIGHT
from pmo_lib.charts._common import SMALL_WIDTH as SMALL_WIDTH
from pmo_lib.charts.bubble import cpi_spi_bubble
from pmo_lib.charts.budget import budget_vs_eac, rag_distribution
from pmo_lib.charts.demand import demand_pipeline
from pmo_lib.charts.milestones import milestone_timeline
from pmo_lib.charts.resources import capacity_heat_map, resource_loading
from pmo_lib.charts.risk import risk_heat_map
from pmo_lib.charts.s_curve import s_curve_chart

__all__ = [
    "budget_vs_eac",
    "capacity_heat_map",
    "cpi_spi_bubble",
    "demand_pipeline",
    "milestone_timeline",
    "rag_distribution",
    "resource_loading",
    "risk_heat_map",
    "s_curve_chart",
]
