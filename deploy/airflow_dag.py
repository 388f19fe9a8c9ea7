"""Airflow DAG: weekly pmo-reports run.

Copy to your Airflow ``dags/`` folder and set the Airflow Variables
``pmo_reports_home`` (the checkout, with its .venv) and ``pmo_portfolio``
(the data folder or workbook). The status date is the DAG run's logical date
(``{{ ds }}``), so a backfill or a re-run of the same interval reproduces the
same run folder. Exit code 1 (some reports failed) fails the task so it is
visible; 2 means bad input data or parameters.
"""

from __future__ import annotations

import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="pmo_reports_weekly",
    schedule="30 18 * * FRI",
    start_date=pendulum.datetime(2026, 1, 2, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["pmo"],
) as dag:
    BashOperator(
        task_id="run_reports",
        bash_command=(
            "cd {{ var.value.pmo_reports_home }} && "
            ".venv/bin/pmo-report run --data {{ var.value.pmo_portfolio }} "
            "--status-date {{ ds }} --keep 26 --log-format json"
        ),
        retries=0,
    )
