-- Two more daily rollups of execution_metrics for the stats (tables in 0006), kept by triggers
-- like the cost report's (0005), so every writer of a run keeps them right without knowing:
-- * execution_durations_daily: runs per (workspace, UTC day of started_at, duration bucket).
--   Bucket of d ms (as an integer): d for d < 100 (0 for anything <= 0); else two significant
--   digits: 100 + (digits - 3) * 90 + (first two digits - 10). Insert adds, update moves, delete removes.
-- * execution_peaks_daily: the most runs open at one instant of each (workspace, UTC day). A run
--   spans [started_at, end] with end = ended_at, else started_at + duration_ms, else started_at,
--   never before the start and at most 24 h after it, so a run touches its start day and at most
--   the next. An insert can only raise the peak, and only within its own span: it sweeps the runs
--   overlapping that span (a few). An update that moves a run, or a delete, recomputes the days it
--   touched, before and after, from all their runs.
-- Then both are rebuilt from the runs already stored, overwriting, so the result is right however
-- this migration interleaves with writes.
CREATE TRIGGER `execution_durations_daily_insert` AFTER INSERT ON `execution_metrics` BEGIN
  INSERT INTO execution_durations_daily (workspace_id, day, bucket, runs)
  SELECT NEW.workspace_id, CAST(NEW.started_at / 86400000 AS INTEGER), CASE WHEN CAST(NEW.duration_ms AS INTEGER) < 100 THEN max(CAST(NEW.duration_ms AS INTEGER), 0) ELSE 100 + (length(CAST(CAST(NEW.duration_ms AS INTEGER) AS TEXT)) - 3) * 90 + CAST(substr(CAST(CAST(NEW.duration_ms AS INTEGER) AS TEXT), 1, 2) AS INTEGER) - 10 END, 1
  WHERE NEW.duration_ms IS NOT NULL
  ON CONFLICT (workspace_id, day, bucket) DO UPDATE SET runs = runs + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `execution_durations_daily_update` AFTER UPDATE OF workspace_id, started_at, duration_ms ON `execution_metrics` BEGIN
  UPDATE execution_durations_daily SET runs = runs - 1 WHERE workspace_id = OLD.workspace_id AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND bucket = CASE WHEN CAST(OLD.duration_ms AS INTEGER) < 100 THEN max(CAST(OLD.duration_ms AS INTEGER), 0) ELSE 100 + (length(CAST(CAST(OLD.duration_ms AS INTEGER) AS TEXT)) - 3) * 90 + CAST(substr(CAST(CAST(OLD.duration_ms AS INTEGER) AS TEXT), 1, 2) AS INTEGER) - 10 END AND OLD.duration_ms IS NOT NULL;
  DELETE FROM execution_durations_daily WHERE workspace_id = OLD.workspace_id AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND bucket = CASE WHEN CAST(OLD.duration_ms AS INTEGER) < 100 THEN max(CAST(OLD.duration_ms AS INTEGER), 0) ELSE 100 + (length(CAST(CAST(OLD.duration_ms AS INTEGER) AS TEXT)) - 3) * 90 + CAST(substr(CAST(CAST(OLD.duration_ms AS INTEGER) AS TEXT), 1, 2) AS INTEGER) - 10 END AND OLD.duration_ms IS NOT NULL AND runs <= 0;
  INSERT INTO execution_durations_daily (workspace_id, day, bucket, runs)
  SELECT NEW.workspace_id, CAST(NEW.started_at / 86400000 AS INTEGER), CASE WHEN CAST(NEW.duration_ms AS INTEGER) < 100 THEN max(CAST(NEW.duration_ms AS INTEGER), 0) ELSE 100 + (length(CAST(CAST(NEW.duration_ms AS INTEGER) AS TEXT)) - 3) * 90 + CAST(substr(CAST(CAST(NEW.duration_ms AS INTEGER) AS TEXT), 1, 2) AS INTEGER) - 10 END, 1
  WHERE NEW.duration_ms IS NOT NULL
  ON CONFLICT (workspace_id, day, bucket) DO UPDATE SET runs = runs + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `execution_durations_daily_delete` AFTER DELETE ON `execution_metrics` BEGIN
  UPDATE execution_durations_daily SET runs = runs - 1 WHERE workspace_id = OLD.workspace_id AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND bucket = CASE WHEN CAST(OLD.duration_ms AS INTEGER) < 100 THEN max(CAST(OLD.duration_ms AS INTEGER), 0) ELSE 100 + (length(CAST(CAST(OLD.duration_ms AS INTEGER) AS TEXT)) - 3) * 90 + CAST(substr(CAST(CAST(OLD.duration_ms AS INTEGER) AS TEXT), 1, 2) AS INTEGER) - 10 END AND OLD.duration_ms IS NOT NULL;
  DELETE FROM execution_durations_daily WHERE workspace_id = OLD.workspace_id AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND bucket = CASE WHEN CAST(OLD.duration_ms AS INTEGER) < 100 THEN max(CAST(OLD.duration_ms AS INTEGER), 0) ELSE 100 + (length(CAST(CAST(OLD.duration_ms AS INTEGER) AS TEXT)) - 3) * 90 + CAST(substr(CAST(CAST(OLD.duration_ms AS INTEGER) AS TEXT), 1, 2) AS INTEGER) - 10 END AND OLD.duration_ms IS NOT NULL AND runs <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER `execution_peaks_daily_insert` AFTER INSERT ON `execution_metrics` BEGIN
  INSERT INTO execution_peaks_daily (workspace_id, day, peak)
  SELECT NEW.workspace_id, (CAST(NEW.started_at / 86400000 AS INTEGER) + 0), (SELECT coalesce(max(level), 0) FROM (
      SELECT sum(delta) OVER (ORDER BY t, delta DESC ROWS UNBOUNDED PRECEDING) AS level FROM (
        SELECT max(r.started_at, max(NEW.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) * 86400000))) AS t, 1 AS delta FROM execution_metrics r WHERE r.workspace_id = NEW.workspace_id AND r.started_at >= max(NEW.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) * 86400000)) - 86400000 AND r.started_at <= min(max(NEW.started_at, min(coalesce(NEW.ended_at, NEW.started_at + NEW.duration_ms, NEW.started_at), NEW.started_at + 86400000)), (((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000)) AND r.started_at < (((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= max(NEW.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) * 86400000))
        UNION ALL
        SELECT min(max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)), min(max(NEW.started_at, min(coalesce(NEW.ended_at, NEW.started_at + NEW.duration_ms, NEW.started_at), NEW.started_at + 86400000)), (((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000))) AS t, -1 AS delta FROM execution_metrics r WHERE r.workspace_id = NEW.workspace_id AND r.started_at >= max(NEW.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) * 86400000)) - 86400000 AND r.started_at <= min(max(NEW.started_at, min(coalesce(NEW.ended_at, NEW.started_at + NEW.duration_ms, NEW.started_at), NEW.started_at + 86400000)), (((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000)) AND r.started_at < (((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= max(NEW.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) * 86400000))
      )
    ))
  WHERE max(NEW.started_at, min(coalesce(NEW.ended_at, NEW.started_at + NEW.duration_ms, NEW.started_at), NEW.started_at + 86400000)) >= ((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) * 86400000)
  ON CONFLICT (workspace_id, day) DO UPDATE SET peak = max(peak, excluded.peak);
  INSERT INTO execution_peaks_daily (workspace_id, day, peak)
  SELECT NEW.workspace_id, (CAST(NEW.started_at / 86400000 AS INTEGER) + 1), (SELECT coalesce(max(level), 0) FROM (
      SELECT sum(delta) OVER (ORDER BY t, delta DESC ROWS UNBOUNDED PRECEDING) AS level FROM (
        SELECT max(r.started_at, max(NEW.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) * 86400000))) AS t, 1 AS delta FROM execution_metrics r WHERE r.workspace_id = NEW.workspace_id AND r.started_at >= max(NEW.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) * 86400000)) - 86400000 AND r.started_at <= min(max(NEW.started_at, min(coalesce(NEW.ended_at, NEW.started_at + NEW.duration_ms, NEW.started_at), NEW.started_at + 86400000)), (((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000)) AND r.started_at < (((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= max(NEW.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) * 86400000))
        UNION ALL
        SELECT min(max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)), min(max(NEW.started_at, min(coalesce(NEW.ended_at, NEW.started_at + NEW.duration_ms, NEW.started_at), NEW.started_at + 86400000)), (((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000))) AS t, -1 AS delta FROM execution_metrics r WHERE r.workspace_id = NEW.workspace_id AND r.started_at >= max(NEW.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) * 86400000)) - 86400000 AND r.started_at <= min(max(NEW.started_at, min(coalesce(NEW.ended_at, NEW.started_at + NEW.duration_ms, NEW.started_at), NEW.started_at + 86400000)), (((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000)) AND r.started_at < (((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= max(NEW.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) * 86400000))
      )
    ))
  WHERE max(NEW.started_at, min(coalesce(NEW.ended_at, NEW.started_at + NEW.duration_ms, NEW.started_at), NEW.started_at + 86400000)) >= ((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) * 86400000)
  ON CONFLICT (workspace_id, day) DO UPDATE SET peak = max(peak, excluded.peak);
END;
--> statement-breakpoint
CREATE TRIGGER `execution_peaks_daily_update` AFTER UPDATE ON `execution_metrics` WHEN OLD.workspace_id IS NOT NEW.workspace_id OR OLD.started_at IS NOT NEW.started_at OR OLD.ended_at IS NOT NEW.ended_at OR OLD.duration_ms IS NOT NEW.duration_ms BEGIN
  INSERT INTO execution_peaks_daily (workspace_id, day, peak)
  SELECT OLD.workspace_id, (CAST(OLD.started_at / 86400000 AS INTEGER) + 0), (SELECT coalesce(max(level), 0) FROM (
      SELECT sum(delta) OVER (ORDER BY t, delta DESC ROWS UNBOUNDED PRECEDING) AS level FROM (
        SELECT max(r.started_at, ((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) * 86400000)) AS t, 1 AS delta FROM execution_metrics r WHERE r.workspace_id = OLD.workspace_id AND r.started_at >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) * 86400000) - 86400000 AND r.started_at <= (((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND r.started_at < (((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) * 86400000)
        UNION ALL
        SELECT min(max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)), (((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000)) AS t, -1 AS delta FROM execution_metrics r WHERE r.workspace_id = OLD.workspace_id AND r.started_at >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) * 86400000) - 86400000 AND r.started_at <= (((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND r.started_at < (((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) * 86400000)
      )
    ))
  WHERE true
  ON CONFLICT (workspace_id, day) DO UPDATE SET peak = excluded.peak;
  INSERT INTO execution_peaks_daily (workspace_id, day, peak)
  SELECT OLD.workspace_id, (CAST(OLD.started_at / 86400000 AS INTEGER) + 1), (SELECT coalesce(max(level), 0) FROM (
      SELECT sum(delta) OVER (ORDER BY t, delta DESC ROWS UNBOUNDED PRECEDING) AS level FROM (
        SELECT max(r.started_at, ((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) * 86400000)) AS t, 1 AS delta FROM execution_metrics r WHERE r.workspace_id = OLD.workspace_id AND r.started_at >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) * 86400000) - 86400000 AND r.started_at <= (((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND r.started_at < (((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) * 86400000)
        UNION ALL
        SELECT min(max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)), (((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000)) AS t, -1 AS delta FROM execution_metrics r WHERE r.workspace_id = OLD.workspace_id AND r.started_at >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) * 86400000) - 86400000 AND r.started_at <= (((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND r.started_at < (((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) * 86400000)
      )
    ))
  WHERE true
  ON CONFLICT (workspace_id, day) DO UPDATE SET peak = excluded.peak;
  INSERT INTO execution_peaks_daily (workspace_id, day, peak)
  SELECT NEW.workspace_id, (CAST(NEW.started_at / 86400000 AS INTEGER) + 0), (SELECT coalesce(max(level), 0) FROM (
      SELECT sum(delta) OVER (ORDER BY t, delta DESC ROWS UNBOUNDED PRECEDING) AS level FROM (
        SELECT max(r.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) * 86400000)) AS t, 1 AS delta FROM execution_metrics r WHERE r.workspace_id = NEW.workspace_id AND r.started_at >= ((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) * 86400000) - 86400000 AND r.started_at <= (((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND r.started_at < (((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) * 86400000)
        UNION ALL
        SELECT min(max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)), (((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000)) AS t, -1 AS delta FROM execution_metrics r WHERE r.workspace_id = NEW.workspace_id AND r.started_at >= ((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) * 86400000) - 86400000 AND r.started_at <= (((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND r.started_at < (((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(NEW.started_at / 86400000 AS INTEGER) + 0) * 86400000)
      )
    ))
  WHERE true
  ON CONFLICT (workspace_id, day) DO UPDATE SET peak = excluded.peak;
  INSERT INTO execution_peaks_daily (workspace_id, day, peak)
  SELECT NEW.workspace_id, (CAST(NEW.started_at / 86400000 AS INTEGER) + 1), (SELECT coalesce(max(level), 0) FROM (
      SELECT sum(delta) OVER (ORDER BY t, delta DESC ROWS UNBOUNDED PRECEDING) AS level FROM (
        SELECT max(r.started_at, ((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) * 86400000)) AS t, 1 AS delta FROM execution_metrics r WHERE r.workspace_id = NEW.workspace_id AND r.started_at >= ((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) * 86400000) - 86400000 AND r.started_at <= (((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND r.started_at < (((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) * 86400000)
        UNION ALL
        SELECT min(max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)), (((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000)) AS t, -1 AS delta FROM execution_metrics r WHERE r.workspace_id = NEW.workspace_id AND r.started_at >= ((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) * 86400000) - 86400000 AND r.started_at <= (((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND r.started_at < (((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(NEW.started_at / 86400000 AS INTEGER) + 1) * 86400000)
      )
    ))
  WHERE true
  ON CONFLICT (workspace_id, day) DO UPDATE SET peak = excluded.peak;
END;
--> statement-breakpoint
CREATE TRIGGER `execution_peaks_daily_delete` AFTER DELETE ON `execution_metrics` BEGIN
  INSERT INTO execution_peaks_daily (workspace_id, day, peak)
  SELECT OLD.workspace_id, (CAST(OLD.started_at / 86400000 AS INTEGER) + 0), (SELECT coalesce(max(level), 0) FROM (
      SELECT sum(delta) OVER (ORDER BY t, delta DESC ROWS UNBOUNDED PRECEDING) AS level FROM (
        SELECT max(r.started_at, ((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) * 86400000)) AS t, 1 AS delta FROM execution_metrics r WHERE r.workspace_id = OLD.workspace_id AND r.started_at >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) * 86400000) - 86400000 AND r.started_at <= (((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND r.started_at < (((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) * 86400000)
        UNION ALL
        SELECT min(max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)), (((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000)) AS t, -1 AS delta FROM execution_metrics r WHERE r.workspace_id = OLD.workspace_id AND r.started_at >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) * 86400000) - 86400000 AND r.started_at <= (((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND r.started_at < (((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 0) * 86400000)
      )
    ))
  WHERE true
  ON CONFLICT (workspace_id, day) DO UPDATE SET peak = excluded.peak;
  INSERT INTO execution_peaks_daily (workspace_id, day, peak)
  SELECT OLD.workspace_id, (CAST(OLD.started_at / 86400000 AS INTEGER) + 1), (SELECT coalesce(max(level), 0) FROM (
      SELECT sum(delta) OVER (ORDER BY t, delta DESC ROWS UNBOUNDED PRECEDING) AS level FROM (
        SELECT max(r.started_at, ((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) * 86400000)) AS t, 1 AS delta FROM execution_metrics r WHERE r.workspace_id = OLD.workspace_id AND r.started_at >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) * 86400000) - 86400000 AND r.started_at <= (((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND r.started_at < (((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) * 86400000)
        UNION ALL
        SELECT min(max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)), (((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000)) AS t, -1 AS delta FROM execution_metrics r WHERE r.workspace_id = OLD.workspace_id AND r.started_at >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) * 86400000) - 86400000 AND r.started_at <= (((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND r.started_at < (((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) + 1) * 86400000) AND max(r.started_at, min(coalesce(r.ended_at, r.started_at + r.duration_ms, r.started_at), r.started_at + 86400000)) >= ((CAST(OLD.started_at / 86400000 AS INTEGER) + 1) * 86400000)
      )
    ))
  WHERE true
  ON CONFLICT (workspace_id, day) DO UPDATE SET peak = excluded.peak;
END;
--> statement-breakpoint
INSERT INTO execution_durations_daily (workspace_id, day, bucket, runs)
SELECT workspace_id, CAST(started_at / 86400000 AS INTEGER), CASE WHEN CAST(duration_ms AS INTEGER) < 100 THEN max(CAST(duration_ms AS INTEGER), 0) ELSE 100 + (length(CAST(CAST(duration_ms AS INTEGER) AS TEXT)) - 3) * 90 + CAST(substr(CAST(CAST(duration_ms AS INTEGER) AS TEXT), 1, 2) AS INTEGER) - 10 END, count(*)
FROM execution_metrics
WHERE duration_ms IS NOT NULL
GROUP BY 1, 2, 3
ON CONFLICT (workspace_id, day, bucket) DO UPDATE SET runs = excluded.runs;
--> statement-breakpoint
WITH runs AS (
  SELECT workspace_id AS ws, started_at AS s, max(started_at, min(coalesce(ended_at, started_at + duration_ms, started_at), started_at + 86400000)) AS e, CAST(started_at / 86400000 AS INTEGER) AS d0 FROM execution_metrics
),
pieces AS (
  SELECT ws, d0 AS day, s AS ps, min(e, (d0 + 1) * 86400000) AS pe FROM runs
  UNION ALL
  SELECT ws, d0 + 1 AS day, (d0 + 1) * 86400000 AS ps, e AS pe FROM runs WHERE e >= (d0 + 1) * 86400000
),
points AS (
  SELECT ws, day, ps AS t, 1 AS delta FROM pieces
  UNION ALL
  SELECT ws, day, pe AS t, -1 AS delta FROM pieces
),
levels AS (
  SELECT ws, day, sum(delta) OVER (PARTITION BY ws, day ORDER BY t, delta DESC ROWS UNBOUNDED PRECEDING) AS level FROM points
)
INSERT INTO execution_peaks_daily (workspace_id, day, peak)
SELECT ws, day, max(level) FROM levels WHERE true GROUP BY ws, day
ON CONFLICT (workspace_id, day) DO UPDATE SET peak = excluded.peak;
