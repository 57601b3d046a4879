CREATE TABLE `execution_durations_daily` (
	`workspace_id` text NOT NULL,
	`day` integer NOT NULL,
	`bucket` integer NOT NULL,
	`runs` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `day`, `bucket`)
);
--> statement-breakpoint
CREATE TABLE `execution_peaks_daily` (
	`workspace_id` text NOT NULL,
	`day` integer NOT NULL,
	`peak` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `day`)
);
