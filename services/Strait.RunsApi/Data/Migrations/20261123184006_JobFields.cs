using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.RunsApi.Data.Migrations
{
    /// <summary>Existing jobs get the documented defaults: queue "default", pin, http, retry boost 1.</summary>
    public partial class JobFields : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "cron",
                schema: "runs",
                table: "jobs",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "cron_overlap_policy",
                schema: "runs",
                table: "jobs",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "dedup_window_secs",
                schema: "runs",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<Dictionary<string, string>>(
                name: "default_run_metadata",
                schema: "runs",
                table: "jobs",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'{}'::jsonb");

            migrationBuilder.AddColumn<string>(
                name: "execution_mode",
                schema: "runs",
                table: "jobs",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "http");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "next_run_at",
                schema: "runs",
                table: "jobs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "payload_schema",
                schema: "runs",
                table: "jobs",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "poison_pill_threshold",
                schema: "runs",
                table: "jobs",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "queue",
                schema: "runs",
                table: "jobs",
                type: "character varying(63)",
                maxLength: 63,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "result_schema",
                schema: "runs",
                table: "jobs",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "retry_priority_boost",
                schema: "runs",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<string>(
                name: "timezone",
                schema: "runs",
                table: "jobs",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "version_policy",
                schema: "runs",
                table: "jobs",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "pin");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_next_run_at",
                schema: "runs",
                table: "jobs",
                column: "next_run_at",
                filter: "next_run_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_jobs_next_run_at",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "cron",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "cron_overlap_policy",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "dedup_window_secs",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "default_run_metadata",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "execution_mode",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "next_run_at",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "payload_schema",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "poison_pill_threshold",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "queue",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "result_schema",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "retry_priority_boost",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "timezone",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "version_policy",
                schema: "runs",
                table: "jobs");
        }
    }
}
