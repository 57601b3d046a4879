CREATE TABLE `agent_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`issue_id` text,
	`issue_identifier` text,
	`issue_title` text,
	`repository_id` text,
	`repository_name` text,
	`status` text NOT NULL,
	`executor` text,
	`agent_type` text,
	`complexity` text,
	`outcome` text,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`ended_at` integer
);
--> statement-breakpoint
CREATE INDEX `agent_sessions_workspace_created` ON `agent_sessions` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `agent_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agent_tokens_hash` ON `agent_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`details` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_workspace_created` ON `audit_log` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`delivery_id` text,
	`event_type` text,
	`organization_id` text,
	`error` text NOT NULL,
	`body` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_received` ON `dead_letters` (`received_at`);--> statement-breakpoint
CREATE TABLE `execution_metrics` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`session_id` text NOT NULL,
	`repository_name` text,
	`executor` text NOT NULL,
	`agent_type` text,
	`complexity` text,
	`codegen_run_id` integer,
	`local_task_id` text,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`duration_ms` integer,
	`outcome` text,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`cost_estimated` integer DEFAULT false NOT NULL,
	`input_tokens` integer,
	`output_tokens` integer,
	`pr_urls` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `execution_metrics_workspace_started` ON `execution_metrics` (`workspace_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `oauth_states` (
	`state` text PRIMARY KEY NOT NULL,
	`code_verifier` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE TABLE `repositories` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`git_url` text,
	`base_branch` text DEFAULT 'main' NOT NULL,
	`team_keys` text DEFAULT '[]' NOT NULL,
	`labels` text DEFAULT '[]' NOT NULL,
	`project_keys` text DEFAULT '[]' NOT NULL,
	`is_catch_all` integer DEFAULT false NOT NULL,
	`codegen_repo_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `repositories_workspace_name` ON `repositories` (`workspace_id`,`name`);--> statement-breakpoint
CREATE TABLE `session_events` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`kind` text NOT NULL,
	`summary` text NOT NULL,
	`data` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `session_events_session_created` ON `session_events` (`session_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`url_key` text NOT NULL,
	`app_user_id` text NOT NULL,
	`access_token_enc` text NOT NULL,
	`refresh_token_enc` text,
	`token_expires_at` integer NOT NULL,
	`scope` text DEFAULT '' NOT NULL,
	`installed_at` integer NOT NULL,
	`revoked_at` integer,
	`updated_at` integer NOT NULL
);
