"""dqmon from Airflow: the task fails only when monitoring is broken.

`--fail-on never` makes failed checks exit 0: they are data problems, reported by dqmon's own alerts and
incidents, and must not fail (or retry) the Airflow task. Exit 3 (config invalid, warehouse unreachable, a check
errored, history locked) fails the task. Exit 4 means the checks ran and were recorded, but some alerts could not be
delivered and stay pending (retried by the next run or `dqmon alerts flush`): the task is marked skipped, visible in
the UI, and does not fail or retry the DAG.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="dqmon_check",
    schedule="*/15 * * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=2)},
) as dag:
    BashOperator(
        task_id="dqmon_check",
        cwd="/srv/dqmon",
        bash_command="dqmon check --fail-on never --lock-timeout 5m",
        skip_on_exit_code=4,
    )
