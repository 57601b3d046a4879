CREATE TABLE `parallel_runs` (
	`session_id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`status` text NOT NULL,
	`source` text NOT NULL,
	`items` text NOT NULL,
	`validation` text,
	`figures` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`ended_at` integer
);
--> statement-breakpoint
CREATE INDEX `parallel_runs_workspace_ended` ON `parallel_runs` (`workspace_id`,`ended_at`);--> statement-breakpoint
ALTER TABLE `agent_sessions` ADD `parent_session_id` text;--> statement-breakpoint
CREATE INDEX `agent_sessions_parent` ON `agent_sessions` (`parent_session_id`);