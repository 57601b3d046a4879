CREATE TABLE `execution_metrics_daily` (
	`workspace_id` text NOT NULL,
	`day` integer NOT NULL,
	`executor` text NOT NULL,
	`repository_name` text NOT NULL,
	`agent_type` text NOT NULL,
	`tasks` integer DEFAULT 0 NOT NULL,
	`succeeded` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`stopped` integer DEFAULT 0 NOT NULL,
	`timed_out` integer DEFAULT 0 NOT NULL,
	`estimated_tasks` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`estimated_cost_usd` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `day`, `executor`, `repository_name`, `agent_type`)
);
