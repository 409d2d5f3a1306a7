-- `interrupted` as a status of its own (issue 10, point 8). Runs whose process died, or that
-- were cancelled at shutdown, used to be recorded `failed` with one of these errors and read
-- back as interrupted; they now are recorded `interrupted` (bot/run_state.py, jobs/runs.py).
-- This rewrites the rows recorded the old way. Loads cancelled at shutdown likewise.

update ops.job_runs
set status = 'interrupted'
where status = 'failed'
    and error in (
        'Terputus: proses opsbot yang menjalankannya berhenti sebelum selesai.',
        'Interrupted: the opsbot process running it stopped before it finished.',
        'CancelledError'
    );

update raw.load_history
set status = 'interrupted'
where status = 'failed'
    and error_message = 'CancelledError';
