using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.RunsApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class TriggerBuffers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "max_executing_runs",
                schema: "runs",
                table: "projects",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "max_queued_runs",
                schema: "runs",
                table: "projects",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "batch_max_size",
                schema: "runs",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "batch_window_secs",
                schema: "runs",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "debounce_window_secs",
                schema: "runs",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "execution_window_cron",
                schema: "runs",
                table: "jobs",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "batch_items",
                schema: "runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    payload = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_batch_items", x => x.id);
                    table.ForeignKey(
                        name: "fk_batch_items_jobs_job_id",
                        column: x => x.job_id,
                        principalSchema: "runs",
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "debounce_entries",
                schema: "runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    payload = table.Column<string>(type: "text", nullable: false),
                    tags = table.Column<Dictionary<string, string>>(type: "jsonb", nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false),
                    concurrency_key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    created_by = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    fire_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_debounce_entries", x => x.id);
                    table.ForeignKey(
                        name: "fk_debounce_entries_jobs_job_id",
                        column: x => x.job_id,
                        principalSchema: "runs",
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_batch_items_job_id_key_created_at",
                schema: "runs",
                table: "batch_items",
                columns: new[] { "job_id", "key", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_debounce_entries_fire_at",
                schema: "runs",
                table: "debounce_entries",
                column: "fire_at");

            migrationBuilder.CreateIndex(
                name: "ix_debounce_entries_job_id_key",
                schema: "runs",
                table: "debounce_entries",
                columns: new[] { "job_id", "key" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "batch_items",
                schema: "runs");

            migrationBuilder.DropTable(
                name: "debounce_entries",
                schema: "runs");

            migrationBuilder.DropColumn(
                name: "max_executing_runs",
                schema: "runs",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "max_queued_runs",
                schema: "runs",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "batch_max_size",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "batch_window_secs",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "debounce_window_secs",
                schema: "runs",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "execution_window_cron",
                schema: "runs",
                table: "jobs");
        }
    }
}
