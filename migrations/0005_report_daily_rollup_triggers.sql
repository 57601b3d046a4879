-- The daily rollup of execution_metrics (table in 0004), kept by triggers so that every
-- writer of a run keeps it right without knowing it exists: an insert adds the run to its
-- (workspace, UTC day of started_at, executor, repository, agent type) row; an update
-- takes the old row's figures out and puts the new ones in (so an idempotent re-write,
-- INSERT … ON CONFLICT DO UPDATE, nets to the same rollup); a delete takes them out.
-- Then the rollup is rebuilt from the runs already stored, overwriting whatever it has,
-- so the result is right however this migration interleaves with writes.
CREATE TRIGGER `execution_metrics_daily_insert` AFTER INSERT ON `execution_metrics` BEGIN
  INSERT INTO execution_metrics_daily (workspace_id, day, executor, repository_name, agent_type, tasks, succeeded, failed, stopped, timed_out, estimated_tasks, cost_usd, estimated_cost_usd)
  VALUES (NEW.workspace_id, CAST(NEW.started_at / 86400000 AS INTEGER), NEW.executor, coalesce(NEW.repository_name, ''), coalesce(NEW.agent_type, ''), 1, NEW.outcome IS 'succeeded', NEW.outcome IS 'failed', NEW.outcome IS 'stopped', NEW.outcome IS 'timed_out', NEW.cost_estimated <> 0, NEW.cost_usd, CASE WHEN NEW.cost_estimated <> 0 THEN NEW.cost_usd ELSE 0 END)
  ON CONFLICT (workspace_id, day, executor, repository_name, agent_type) DO UPDATE SET
    tasks = tasks + excluded.tasks,
    succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed,
    stopped = stopped + excluded.stopped,
    timed_out = timed_out + excluded.timed_out,
    estimated_tasks = estimated_tasks + excluded.estimated_tasks,
    cost_usd = cost_usd + excluded.cost_usd,
    estimated_cost_usd = estimated_cost_usd + excluded.estimated_cost_usd;
END;
--> statement-breakpoint
CREATE TRIGGER `execution_metrics_daily_update` AFTER UPDATE ON `execution_metrics` BEGIN
  UPDATE execution_metrics_daily SET
    tasks = tasks - 1,
    succeeded = succeeded - (OLD.outcome IS 'succeeded'),
    failed = failed - (OLD.outcome IS 'failed'),
    stopped = stopped - (OLD.outcome IS 'stopped'),
    timed_out = timed_out - (OLD.outcome IS 'timed_out'),
    estimated_tasks = estimated_tasks - (OLD.cost_estimated <> 0),
    cost_usd = cost_usd - OLD.cost_usd,
    estimated_cost_usd = estimated_cost_usd - CASE WHEN OLD.cost_estimated <> 0 THEN OLD.cost_usd ELSE 0 END
  WHERE workspace_id = OLD.workspace_id AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND executor = OLD.executor AND repository_name = coalesce(OLD.repository_name, '') AND agent_type = coalesce(OLD.agent_type, '');
  DELETE FROM execution_metrics_daily WHERE workspace_id = OLD.workspace_id AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND executor = OLD.executor AND repository_name = coalesce(OLD.repository_name, '') AND agent_type = coalesce(OLD.agent_type, '') AND tasks <= 0;
  INSERT INTO execution_metrics_daily (workspace_id, day, executor, repository_name, agent_type, tasks, succeeded, failed, stopped, timed_out, estimated_tasks, cost_usd, estimated_cost_usd)
  VALUES (NEW.workspace_id, CAST(NEW.started_at / 86400000 AS INTEGER), NEW.executor, coalesce(NEW.repository_name, ''), coalesce(NEW.agent_type, ''), 1, NEW.outcome IS 'succeeded', NEW.outcome IS 'failed', NEW.outcome IS 'stopped', NEW.outcome IS 'timed_out', NEW.cost_estimated <> 0, NEW.cost_usd, CASE WHEN NEW.cost_estimated <> 0 THEN NEW.cost_usd ELSE 0 END)
  ON CONFLICT (workspace_id, day, executor, repository_name, agent_type) DO UPDATE SET
    tasks = tasks + excluded.tasks,
    succeeded = succeeded + excluded.succeeded,
    failed = failed + excluded.failed,
    stopped = stopped + excluded.stopped,
    timed_out = timed_out + excluded.timed_out,
    estimated_tasks = estimated_tasks + excluded.estimated_tasks,
    cost_usd = cost_usd + excluded.cost_usd,
    estimated_cost_usd = estimated_cost_usd + excluded.estimated_cost_usd;
END;
--> statement-breakpoint
CREATE TRIGGER `execution_metrics_daily_delete` AFTER DELETE ON `execution_metrics` BEGIN
  UPDATE execution_metrics_daily SET
    tasks = tasks - 1,
    succeeded = succeeded - (OLD.outcome IS 'succeeded'),
    failed = failed - (OLD.outcome IS 'failed'),
    stopped = stopped - (OLD.outcome IS 'stopped'),
    timed_out = timed_out - (OLD.outcome IS 'timed_out'),
    estimated_tasks = estimated_tasks - (OLD.cost_estimated <> 0),
    cost_usd = cost_usd - OLD.cost_usd,
    estimated_cost_usd = estimated_cost_usd - CASE WHEN OLD.cost_estimated <> 0 THEN OLD.cost_usd ELSE 0 END
  WHERE workspace_id = OLD.workspace_id AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND executor = OLD.executor AND repository_name = coalesce(OLD.repository_name, '') AND agent_type = coalesce(OLD.agent_type, '');
  DELETE FROM execution_metrics_daily WHERE workspace_id = OLD.workspace_id AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND executor = OLD.executor AND repository_name = coalesce(OLD.repository_name, '') AND agent_type = coalesce(OLD.agent_type, '') AND tasks <= 0;
END;
--> statement-breakpoint
INSERT INTO execution_metrics_daily (workspace_id, day, executor, repository_name, agent_type, tasks, succeeded, failed, stopped, timed_out, estimated_tasks, cost_usd, estimated_cost_usd)
SELECT workspace_id, CAST(started_at / 86400000 AS INTEGER), executor, coalesce(repository_name, ''), coalesce(agent_type, ''), count(*),
  total(outcome IS 'succeeded'), total(outcome IS 'failed'), total(outcome IS 'stopped'), total(outcome IS 'timed_out'), total(cost_estimated <> 0),
  total(cost_usd), total(CASE WHEN cost_estimated <> 0 THEN cost_usd ELSE 0 END)
FROM execution_metrics
WHERE true
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (workspace_id, day, executor, repository_name, agent_type) DO UPDATE SET
  tasks = excluded.tasks,
  succeeded = excluded.succeeded,
  failed = excluded.failed,
  stopped = excluded.stopped,
  timed_out = excluded.timed_out,
  estimated_tasks = excluded.estimated_tasks,
  cost_usd = excluded.cost_usd,
  estimated_cost_usd = excluded.estimated_cost_usd;
