CREATE TABLE `panel_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`linear_user_id` text,
	`name` text NOT NULL,
	`email` text,
	`organization_id` text,
	`linear_admin` integer DEFAULT false NOT NULL,
	`csrf_token` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE INDEX `panel_sessions_expires` ON `panel_sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `sign_in_failures` (
	`client_key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failed_at` integer NOT NULL,
	`blocked_until` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `oauth_states` ADD `purpose` text DEFAULT 'install' NOT NULL;--> statement-breakpoint
ALTER TABLE `oauth_states` ADD `return_to` text;--> statement-breakpoint
CREATE INDEX `agent_sessions_workspace_status_updated` ON `agent_sessions` (`workspace_id`,`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `agent_sessions_workspace_ended` ON `agent_sessions` (`workspace_id`,`ended_at`);