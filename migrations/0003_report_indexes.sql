DROP INDEX `execution_metrics_workspace_started`;--> statement-breakpoint
CREATE INDEX `execution_metrics_report` ON `execution_metrics` (`workspace_id`,`started_at`,`executor`,`outcome`,`cost_usd`,`cost_estimated`,`duration_ms`,`ended_at`,`repository_name`,`agent_type`);--> statement-breakpoint
CREATE INDEX `execution_metrics_session` ON `execution_metrics` (`session_id`,`started_at`);