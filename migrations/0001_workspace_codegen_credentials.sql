ALTER TABLE `workspaces` ADD `codegen_org_id` integer;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `codegen_api_token_enc` text;